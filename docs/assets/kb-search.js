/* The search page. Where the site is served by `kb.py serve`, a query goes to
 * its api/search (the Whoosh index: full text, a few KB per query); a static
 * copy of the site has no API, and Pagefind searches in the browser (the
 * index is built after MkDocs, into site/pagefind/). One normalization with
 * the server side: a Pagefind query is folded like its index (đ -> d;
 * Pagefind ignores tones but not đ). Every text from either index is put on
 * the page as text, never as HTML.
 * Also adds a search box to the header of every page that leads here. */
(function () {
  "use strict";

  function siteBase() {
    var cfg = document.getElementById("__config");
    var base = ".";
    if (cfg) { try { base = JSON.parse(cfg.textContent).base || "."; } catch (e) { /* keep "." */ } }
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  function fold(text) {
    return text.normalize("NFC").replace(/[đĐ]/g, function (c) { return c === "đ" ? "d" : "D"; });
  }

  function addHeaderBox(base) {
    var inner = document.querySelector(".md-header__inner");
    if (!inner || document.getElementById("kb-header-search")) return;
    var form = document.createElement("form");
    form.id = "kb-header-search";
    form.className = "kb-header-search";
    form.setAttribute("role", "search");
    form.action = new URL("tim-kiem/", base).href;
    form.method = "get";
    var input = document.createElement("input");
    input.type = "search";
    input.name = "q";
    input.placeholder = "Tìm kiếm";
    input.setAttribute("aria-label", "Tìm kiếm văn bản");
    form.appendChild(input);
    inner.appendChild(form);
  }

  var FILTER_LABELS = { loai: "Loại văn bản", nam: "Năm", co_quan: "Cơ quan ban hành" };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function excerptNode(excerpt) {
    // Both indexes mark matches with <mark> (Whoosh adds a class) around
    // escaped text; everything else is shown as text.
    var span = el("span", "kb-search__excerpt");
    var parts = String(excerpt || "").split(/(<mark(?: class="[\w ]*")?>|<\/mark>)/);
    var inMark = false;
    parts.forEach(function (part) {
      if (/^<mark/.test(part)) { inMark = true; return; }
      if (part === "</mark>") { inMark = false; return; }
      var txt = document.createElement("textarea");
      txt.innerHTML = part;               // decode entities without running anything
      var node = inMark ? el("mark", null, txt.value) : document.createTextNode(txt.value);
      span.appendChild(node);
    });
    return span;
  }

  // Pagefind indexes each word of a page once (scripts/vnkb/search/browser.py),
  // so its own excerpt would be a word list: a static copy shows the page's
  // opening (meta tom_tat) with the query's words marked, matched without
  // tones and with đ as d. Text nodes only.
  function plain(c) {
    return c.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function markedNode(text, q) {
    var span = el("span", "kb-search__excerpt");
    var folded = "", at = [];
    for (var i = 0; i < text.length; i++) {
      var f = plain(text[i]);
      for (var j = 0; j < f.length; j++) { folded += f[j]; at.push(i); }
    }
    var letter = /[\p{L}\p{N}]/u;
    var ranges = [];
    plain(q).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; }).forEach(function (w) {
      for (var k = folded.indexOf(w); k >= 0; k = folded.indexOf(w, k + 1)) {
        var end = k + w.length;
        if ((k === 0 || !letter.test(folded[k - 1])) && (end === folded.length || !letter.test(folded[end]))) {
          ranges.push([at[k], at[end - 1] + 1]);
        }
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) return;                      // overlaps one already marked
      if (r[0] > pos) span.appendChild(document.createTextNode(text.slice(pos, r[0])));
      span.appendChild(el("mark", null, text.slice(r[0], r[1])));
      pos = r[1];
    });
    if (pos < text.length) span.appendChild(document.createTextNode(text.slice(pos)));
    return span;
  }

  var PAGE = 20;   // results shown per query

  function isoToVi(date) {    // "2019-09-12" -> "12/09/2019", as the pages write dates
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : (date || "");
  }

  // The server (kb.py serve): GET api/search. Returns null when there is no
  // API here (a static copy: its answer is not JSON) or it has no index yet.
  async function serverSearch(base, q, filters) {
    var url = new URL("api/search", base);
    url.searchParams.set("q", q);
    url.searchParams.set("size", String(PAGE));
    if (filters.loai) url.searchParams.set("type", filters.loai);
    if (filters.nam) url.searchParams.set("year", filters.nam);
    if (filters.co_quan) url.searchParams.set("organ", filters.co_quan);
    var resp;
    try { resp = await fetch(url.href, { headers: { Accept: "application/json" } }); } catch (e) { return null; }
    if (!/^application\/json/.test(resp.headers.get("Content-Type") || "") || resp.status === 503) return null;
    var data = await resp.json();
    if (!resp.ok) return { total: 0, error: data.error || "", items: [] };
    return {
      total: data.total, loose: data.loose, suggestion: data.suggestion,
      items: data.hits.map(function (hit) {
        return { url: new URL(String(hit.url).replace(/^\/+/, ""), base).href, title: hit.title || hit.url,
                 facts: [hit.type, hit.number, isoToVi(hit.issued_date), hit.organ], excerpt: hit.snippet };
      })
    };
  }

  // Pagefind, in the browser. Filters are words of the page (see
  // scripts/vnkb/search/browser.py): every word must match.
  async function pagefindSearch(pagefind, q, filters, tokens) {
    var words = [q ? fold(q) : ""].concat(Object.keys(filters).map(function (n) { return tokens[n][filters[n]]; }));
    var search = await pagefind.search(words.join(" ").trim());
    var results = await Promise.all(search.results.slice(0, PAGE).map(function (r) { return r.data(); }));
    return {
      total: search.results.length,
      items: results.map(function (data) {
        var meta = data.meta || {};
        return { url: data.url, title: meta.title || data.url, facts: [meta.loai, meta.so, meta.ngay, meta.co_quan],
                 excerptNode: markedNode(meta.tom_tat || "", q) };
      })
    };
  }

  async function loadPagefind(base) {
    var pagefind = await import(new URL("pagefind/pagefind.js", base).href);
    await pagefind.options({ excerptLength: 28 });
    return pagefind;
  }

  async function searchPage(base) {
    var root = document.getElementById("kb-search");
    if (!root) return;
    var input = document.getElementById("kb-search-input");
    var status = document.getElementById("kb-search-status");
    var list = document.getElementById("kb-search-results");
    var filterBox = document.getElementById("kb-search-filters");
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    // Catch Enter at once; the query runs as soon as the filters are loaded.
    var pending = null;
    var runner = null;
    root.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (runner) runner(); else pending = true;
    });
    var selects = {};
    var tokens = {};
    var options = {};
    try {
      options = await (await fetch(new URL("danh-muc/bo-loc-tim-kiem.json", base).href)).json();
    } catch (e) { /* search still works without filters */ }
    Object.keys(FILTER_LABELS).forEach(function (name) {
      var values = options[name] || [];
      var select = el("select", "kb-search__filter");
      select.name = name;
      select.setAttribute("aria-label", FILTER_LABELS[name]);
      select.appendChild(el("option", null, FILTER_LABELS[name] + ": tất cả")).value = "";
      tokens[name] = {};
      values.forEach(function (v) {
        var opt = el("option", null, v.value + " (" + v.count + ")");
        opt.value = v.value;
        tokens[name][v.value] = v.token;
        select.appendChild(opt);
      });
      if (params.get(name)) select.value = params.get(name);
      select.addEventListener("change", run);
      selects[name] = select;
      filterBox.appendChild(select);
    });

    var useServer = true;   // until the first answer shows there is no API
    var pagefind = null;
    var latest = 0;         // a slow answer to an older query is dropped

    async function find(q, filters) {
      if (useServer) {
        var answer = await serverSearch(base, q, filters);
        if (answer) return answer;
        useServer = false;
      }
      if (!pagefind) pagefind = await loadPagefind(base);
      return pagefindSearch(pagefind, q, filters, tokens);
    }

    async function run() {
      var q = input.value.trim();
      var filters = {};
      Object.keys(selects).forEach(function (n) { if (selects[n].value) filters[n] = selects[n].value; });
      var url = new URL(window.location.href);
      url.searchParams.set("q", q);
      Object.keys(FILTER_LABELS).forEach(function (n) {
        if (filters[n]) url.searchParams.set(n, filters[n]); else url.searchParams.delete(n);
      });
      window.history.replaceState(null, "", url);
      list.textContent = "";
      if (!q && !Object.keys(filters).length) { status.textContent = ""; return; }
      status.textContent = "Đang tìm…";
      var mine = ++latest;
      var answer;
      try {
        answer = await find(q, filters);
      } catch (e) {
        if (mine === latest) status.textContent = "Chưa có chỉ mục tìm kiếm (hãy chạy kb.py build).";
        return;
      }
      if (mine !== latest) return;
      if (answer.error) { status.textContent = answer.error; return; }
      var about = q ? " cho “" + q + "”" : "";
      status.textContent = answer.total
        ? answer.total + " kết quả" + about + (answer.loose ? " (không văn bản nào có đủ mọi từ: kết quả có một phần các từ)" : "")
        : "Không tìm thấy văn bản nào" + about + ".";
      if (answer.suggestion) {
        var hint = el("span", "kb-search__suggestion", " Có phải bạn muốn tìm: ");
        var again = el("a", null, answer.suggestion);
        again.href = "?q=" + encodeURIComponent(answer.suggestion);
        hint.appendChild(again);
        status.appendChild(hint);
      }
      answer.items.forEach(function (hit) {
        var item = el("li", "kb-search__result");
        var link = el("a", "kb-search__title", hit.title);
        link.href = hit.url;
        item.appendChild(link);
        var facts = hit.facts.filter(Boolean).join(" · ");
        if (facts) item.appendChild(el("div", "kb-search__facts", facts));
        item.appendChild(hit.excerptNode || excerptNode(hit.excerpt));
        list.appendChild(item);
      });
    }
    runner = run;
    if (pending || input.value || Object.keys(selects).some(function (n) { return selects[n].value; })) run();
  }

  function init() {
    var base = siteBase();
    addHeaderBox(base);
    searchPage(base);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
