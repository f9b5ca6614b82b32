/* Search in the browser with Pagefind (the index is built after MkDocs, into
 * site/pagefind/). One normalization with the server side: a query is folded
 * like the index (đ -> d; Pagefind itself ignores tones but not đ), and every
 * text from the index is put on the page as text, never as HTML.
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
    // Pagefind marks matches with <mark>; everything else is shown as text.
    var span = el("span", "kb-search__excerpt");
    var parts = String(excerpt || "").split(/(<mark>|<\/mark>)/);
    var inMark = false;
    parts.forEach(function (part) {
      if (part === "<mark>") { inMark = true; return; }
      if (part === "</mark>") { inMark = false; return; }
      var txt = document.createElement("textarea");
      txt.innerHTML = part;               // decode entities without running anything
      var node = inMark ? el("mark", null, txt.value) : document.createTextNode(txt.value);
      span.appendChild(node);
    });
    return span;
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
    // Catch Enter at once; the query runs as soon as the index is loaded.
    var pending = null;
    var runner = null;
    root.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (runner) runner(); else pending = true;
    });
    var pagefind;
    try {
      pagefind = await import(new URL("pagefind/pagefind.js", base).href);
      await pagefind.options({ excerptLength: 28 });
    } catch (e) {
      status.textContent = "Chưa có chỉ mục tìm kiếm (hãy chạy kb.py build).";
      return;
    }
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
      // Filters are words of the page (see scripts/vnkb/search/browser.py): every word must match.
      var words = [q ? fold(q) : ""].concat(Object.keys(filters).map(function (n) { return tokens[n][filters[n]]; }));
      var search = await pagefind.search(words.join(" ").trim());
      var results = await Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
      status.textContent = search.results.length
        ? search.results.length + " kết quả" + (q ? " cho “" + q + "”" : "")
        : "Không tìm thấy văn bản nào" + (q ? " cho “" + q + "”" : "") + ".";
      results.forEach(function (data) {
        var meta = data.meta || {};
        var item = el("li", "kb-search__result");
        var link = el("a", "kb-search__title", meta.title || data.url);
        link.href = data.url;
        item.appendChild(link);
        var facts = [meta.loai, meta.so, meta.ngay, meta.co_quan].filter(Boolean).join(" · ");
        if (facts) item.appendChild(el("div", "kb-search__facts", facts));
        item.appendChild(excerptNode(data.excerpt));
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
