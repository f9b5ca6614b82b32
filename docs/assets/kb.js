/* Site behaviour beyond search (kb-search.js):
 *  - Mermaid diagrams: Material renders ```mermaid fences with a global
 *    `mermaid`; when there is none it loads one from a CDN. A small stand-in is
 *    defined here instead, which loads the copy shipped in assets/vendor/ only
 *    on pages that have a diagram (the library is 3.5 MB) and hands Material's
 *    calls (initialize, render) to it. Nothing is fetched from outside the site.
 *  - "Sao chép trích dẫn": copies the Decree 30 citation from data-citation.
 *  - /tra-cuu/?so=880/QĐ-UBND: the number resolver (same number folding as
 *    scripts/vnkb/search/query.py, ported below; tests/browser/ checks both agree).
 * Text from documents is only ever put on the page as text (textContent). */
(function () {
  "use strict";

  var MERMAID = "assets/vendor/mermaid-11.17.2.min.js";

  function siteBase() {
    var cfg = document.getElementById("__config");
    var base = ".";
    if (cfg) { try { base = JSON.parse(cfg.textContent).base || "."; } catch (e) { /* keep "." */ } }
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  // --- Mermaid stand-in --------------------------------------------------------
  if (typeof window.mermaid === "undefined" && document.querySelector("pre.mermaid")) {
    var loading = null;
    var config = null;
    var load = function () {
      if (!loading) {
        loading = new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = new URL(MERMAID, siteBase()).href;
          script.onload = function () {
            var real = window.mermaid;
            real.initialize(config || { startOnLoad: false });
            resolve(real);
          };
          script.onerror = function () { reject(new Error("không tải được thư viện sơ đồ")); };
          document.head.appendChild(script);
        });
      }
      return loading;
    };
    window.mermaid = {
      initialize: function (cfg) { config = cfg; },
      render: function (id, text) { return load().then(function (real) { return real.render(id, text); }); }
    };
  }

  // --- copy citation -----------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function initCiteButtons() {
    document.querySelectorAll("button.kb-cite").forEach(function (button) {
      var status = button.parentNode.querySelector(".kb-cite__status");
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-citation") || "";
        copyText(text).then(function () {
          if (status) status.textContent = "Đã sao chép: " + text;
        }, function () {
          if (status) status.textContent = "Không sao chép được; trích dẫn: " + text;
        });
      });
    });
  }

  // --- number folding (port of scripts/vnkb/search/query.py) ---------------------
  // fold(): NFC, remove marks, đ -> d, lower case (vntext.fold)
  function fold(text) {
    return String(text).normalize("NFC").replace(/[đĐðÐ]/g, function (c) { return c === "đ" || c === "ð" ? "d" : "D"; })
      .normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC").toLowerCase();
  }

  // cite/find.py NUMBER, anchored (canonical_number_of uses fullmatch)
  var NUMBER = /^(\d{1,5})\s*([/\-–])\s*(?:((?:19|20)\d{2})\s*\/\s*)?([A-ZĐ][A-Za-zĐđ&]{0,11}\d{0,2}(?:\s*[-/–]\s*[A-ZĐ][A-Za-zĐđ&]{0,13}\d{0,2}){0,3})$/;

  function canonicalNumber(num, parts, nyear, partyCodes) {
    num = num.replace(/^0+/, "") || "0";
    if (num.length < 2) num = ("00" + num).slice(-2);
    if (parts.length >= 2 && partyCodes.indexOf(parts[parts.length - 1]) >= 0 && !nyear) {
      var notation = parts.slice(0, -1).join("-") + "/" + parts[parts.length - 1];
      return num + "-" + notation;
    }
    var joined = parts.join("-");
    return nyear ? num + "/" + nyear + "/" + joined : num + "/" + joined;
  }

  function canonicalNumberOf(text, partyCodes) {
    var upper = String(text).normalize("NFC").toUpperCase().replace(/Ð/g, "Đ").trim();
    var m = NUMBER.exec(upper);
    if (!m) return null;
    var parts = m[4].trim().split(/\s*[-/–]\s*/).filter(Boolean);
    return canonicalNumber(m[1], parts, m[3], partyCodes);
  }

  function numberKey(number) { return fold(number).replace(/ /g, ""); }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // What a typed number means: {key} for a full number, or {code, type, year}
  // for "qđ 880", "Quyết định số 880", "tt 191/2009" or a bare "880".
  function readNumber(text, index) {
    var canon = canonicalNumberOf(text, index.party_codes || []);
    if (canon) return { key: numberKey(canon), canonical: canon };
    var folded = fold(text).trim();
    var bare = /^(?:so\s+)?0*(\d{1,5})$/.exec(folded);
    if (bare) return { code: bare[1] || "0" };
    var words = Object.keys(index.types || {}).sort(function (a, b) { return b.length - a.length; });
    var rx = new RegExp("(?:^|[^\\p{L}\\p{N}_])(" + words.map(escapeRe).join("|") +
      ")\\s+(?:so\\s+)?0*(\\d{1,5})(?:\\s*/\\s*((?:19|20)\\d{2}))?(?![\\p{L}\\p{N}_/-])", "u");
    var m = rx.exec(folded);
    if (m) return { code: m[2] || "0", type: index.types[m[1]], year: m[3] ? parseInt(m[3], 10) : null };
    return null;
  }

  function organMatches(organ, wanted) {
    // every word typed (folded) is in the organ's name; "UBND" also matches "Ủy ban nhân dân"
    var name = " " + fold(organ || "").replace(/[^a-z0-9]+/g, " ") + " ";
    var expanded = name.replace(/ uy ban nhan dan /g, " ubnd uy ban nhan dan ")
      .replace(/ hoi dong nhan dan /g, " hdnd hoi dong nhan dan ");
    return fold(wanted).split(/[^a-z0-9]+/).filter(Boolean).every(function (w) {
      return expanded.indexOf(" " + w + " ") >= 0;
    });
  }

  function lookup(index, query, year, organ) {
    var read = readNumber(query, index);
    if (!read) return { read: null, items: [] };
    var ids = read.key ? (index.numbers[read.key] || []) : (index.codes[read.code] || []);
    var items = ids.map(function (i) { return index.items[i]; });
    if (read.type) items = items.filter(function (it) { return fold(it.type || "") === fold(read.type); });
    var y = year || read.year;
    var narrowed = items.filter(function (it) {
      return (!y || it.year === y) && (!organ || organMatches(it.organ, organ));
    });
    return { read: read, items: narrowed, dropped: items.length - narrowed.length };
  }

  window.kbResolver = { fold: fold, canonicalNumberOf: canonicalNumberOf, numberKey: numberKey,
                        readNumber: readNumber, lookup: lookup };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function resolverPage(base) {
    var root = document.getElementById("kb-resolver");
    if (!root) return;
    var params = new URLSearchParams(window.location.search);
    var so = (params.get("so") || "").trim();
    var nam = parseInt(params.get("nam") || "", 10) || null;
    var coQuan = (params.get("co_quan") || "").trim();
    var form = root.querySelector("form");
    form.elements.so.value = so;
    form.elements.nam.value = nam || "";
    form.elements.co_quan.value = coQuan;
    var status = document.getElementById("kb-resolver-status");
    var list = document.getElementById("kb-resolver-choices");
    if (!so) { status.textContent = "Nhập số, ký hiệu văn bản cần tìm."; return; }
    var index;
    try {
      index = await (await fetch(new URL("tra-cuu/" + root.getAttribute("data-index"), base).href)).json();
    } catch (e) {
      status.textContent = "Không tải được danh mục số hiệu.";
      return;
    }
    var result = lookup(index, so, nam, coQuan);
    var searchUrl = new URL("tim-kiem/", base);
    searchUrl.searchParams.set("q", so);
    function searchLink(text) {
      var a = el("a", "kb-resolver__search", text);
      a.href = searchUrl.href;
      return a;
    }
    if (result.items.length === 1) {
      var target = new URL(result.items[0].url, base);
      status.textContent = "Đang chuyển đến " + (result.items[0].title || result.items[0].number) + "…";
      window.location.replace(target.href);
      return;
    }
    if (!result.items.length) {
      status.textContent = "";
      status.appendChild(document.createTextNode(
        (result.read ? "Không tìm thấy văn bản số “" + so + "”" : "“" + so + "” không phải là một số, ký hiệu văn bản") +
        (result.dropped ? " với năm hoặc cơ quan đã chọn" : "") + " trong kho. "));
      status.appendChild(searchLink("Tìm “" + so + "” trên trang tìm kiếm"));
      status.appendChild(document.createTextNode("."));
      return;
    }
    status.textContent = "Có " + result.items.length + " văn bản mang số “" + so + "”; chọn văn bản cần xem:";
    result.items.forEach(function (it) {
      var li = el("li", "kb-resolver__choice");
      var a = el("a", null, it.title || it.number);
      a.href = new URL(it.url, base).href;
      li.appendChild(a);
      var facts = [it.number, it.date ? it.date.split("-").reverse().join("/") : it.year, it.organ,
                   it.kind === "dan_chieu" ? "văn bản được dẫn chiếu, không có trong kho" : null].filter(Boolean);
      li.appendChild(el("div", "kb-search__facts", facts.join(" · ")));
      list.appendChild(li);
    });
  }

  function init() {
    initCiteButtons();
    resolverPage(siteBase());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
