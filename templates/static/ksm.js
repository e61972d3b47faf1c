/* ksm-site: the site's one script. Everything it improves also works without it:
   tables are complete in the HTML, the search box is a plain form.
   - table[data-groups]: sort by clicking a column header, or, where the rows are
     cards (a phone), with a choice above them; filter with the form whose
     data-filters-for names the table (text, and a choice per data-filter-field: stage, type, area,
     assessor; a choice marked data-filter-within keeps the rows whose value is inside its value,
     a/b/c inside a/b).
   - #search: Pagefind search, with ?q= in the address so results can be shared, and each group
     result given its stage and score from the group's data.json; opened from disk (file://) it
     says that search needs the site to be served.
   - .table-scroll: a table's box that scrolls sideways takes the keyboard's focus. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.children[index];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }

  var NUMBER = /^-?\d+(\.\d+)?$/;

  function compare(a, b) {
    if (NUMBER.test(a) && NUMBER.test(b)) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, document.documentElement.lang || undefined, { sensitivity: "base", numeric: true });
  }

  // On a phone the header row is not shown (the rows are cards), so a choice above the cards sorts
  // them too: one option per column and direction, named by the table's data-sort-* texts, and kept
  // in step with the headers. Beside the table's filters when it has them, else just above it.
  function sortChoice(table, names) {
    var label = document.createElement("label");
    label.className = "sort-choice";
    label.appendChild(document.createTextNode(table.getAttribute("data-sort-by") + " "));
    var select = document.createElement("select");
    select.appendChild(new Option(table.getAttribute("data-sort-listed"), ""));
    names.forEach(function (name, index) {
      ["ascending", "descending"].forEach(function (direction) {
        select.appendChild(new Option(table.getAttribute("data-sort-" + direction).replace("{column}", name),
                                      index + ":" + direction));
      });
    });
    label.appendChild(select);
    var form = document.querySelector("form[data-filters-for='" + table.id + "'] .filter-row");
    if (form) {
      form.appendChild(label);
    } else {
      var row = document.createElement("p");
      row.className = "sort-row";
      row.appendChild(label);
      var box = table.parentElement.classList.contains("table-scroll") ? table.parentElement : table;
      box.parentElement.insertBefore(row, box);
    }
    return select;
  }

  function makeSortable(table) {
    var headers = table.querySelectorAll("thead th");
    var body = table.tBodies[0];
    var listed = Array.prototype.slice.call(body.rows);
    var names = Array.prototype.map.call(headers, function (th) { return th.textContent.trim(); });
    var choice = sortChoice(table, names);

    // Rows sort from the order they are in, so ties keep the previous sort; index -1: as listed.
    function sortBy(index, ascending) {
      headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      var rows = listed.slice();
      if (index >= 0) {
        headers[index].setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? order : -order;
        });
      }
      rows.forEach(function (row) { body.appendChild(row); });
      choice.value = index >= 0 ? index + ":" + (ascending ? "ascending" : "descending") : "";
    }

    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        sortBy(index, th.getAttribute("aria-sort") !== "ascending");
      });
    });
    choice.addEventListener("change", function () {
      var parts = choice.value.split(":");
      sortBy(choice.value ? Number(parts[0]) : -1, parts[1] === "ascending");
    });
  }

  function normalise(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute("data-filters-for"));
    if (!table) return;
    var text = form.querySelector("[data-filter]");
    var selects = form.querySelectorAll("[data-filter-field]");
    var count = form.querySelector("[data-count]");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var haystacks = rows.map(function (row) { return normalise(row.textContent); });
    // The filters live in the address too, under the controls' names (?q=&tahap=&jenis=&wilayah=&penilai=),
    // so a filtered view can be shared: an address's filters are set as the page opens, and each change
    // replaces them. A value a choice does not offer is left out rather than hide every row, unless the
    // choice names such a value (data-unlisted: a list that leaves rows out, whose value then holds none).
    var named = Array.prototype.filter.call(form.elements, function (control) { return control.name; });
    var params = new URLSearchParams(window.location.search);
    named.forEach(function (control) {
      var value = params.get(control.name);
      if (value === null) return;
      if (control.options && !Array.prototype.some.call(control.options, function (o) { return o.value === value; })) {
        if (!control.hasAttribute("data-unlisted")) return;
        control.appendChild(new Option(control.getAttribute("data-unlisted"), value));
      }
      control.value = value;
    });

    function matches(select, value) {
      var wanted = select.value;
      if (!wanted || value === wanted) return true;
      return select.hasAttribute("data-filter-within") && value !== null && value.indexOf(wanted + "/") === 0;
    }

    function remember() {
      var url = new URL(window.location.href);
      named.forEach(function (control) {
        if (control.value) url.searchParams.set(control.name, control.value); else url.searchParams.delete(control.name);
      });
      if (url.href === window.location.href) return;
      try {
        window.history.replaceState(null, "", url);
      } catch (error) {
        // A copy opened from disk may refuse a new address; the filters still work.
      }
    }

    function apply() {
      var words = normalise(text.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var visible = words.every(function (w) { return haystacks[i].indexOf(w) !== -1; });
        selects.forEach(function (select) {
          if (!matches(select, row.getAttribute("data-" + select.getAttribute("data-filter-field")))) visible = false;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      if (count) {
        count.textContent = count.getAttribute("data-template").replace("{shown}", shown).replace("{total}", rows.length);
      }
    }

    form.addEventListener("input", function () { apply(); remember(); });
    form.addEventListener("change", function () { apply(); remember(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  }

  function startSearch(box) {
    var params = new URLSearchParams(window.location.search);
    var query = params.get("q") || "";
    // The header's search box says what is being searched, here as on the page it was typed on.
    var header = document.getElementById("site-search");
    if (header) header.value = query;
    if (window.location.protocol === "file:" || typeof window.PagefindUI !== "function") {
      var message = box.querySelector("[data-offline]");
      if (message) message.hidden = false;
      return;
    }
    var root = new URL(box.getAttribute("data-root"), window.location.href).pathname;
    // A large programme's index comes in parts, merged into one list of results (see search.py).
    var parts = (box.getAttribute("data-bundles") || "").split(" ").filter(Boolean).map(function (href) {
      return { bundlePath: new URL(href, window.location.href).pathname, baseUrl: root };
    });
    // Each result's address is its page's, relative to the site's root.
    var ui = new window.PagefindUI({
      element: "#search", baseUrl: root, showSubResults: false, showImages: false, resetStyles: false,
      mergeIndex: parts,
      processResult: function (result) {
        if (result.meta && result.meta.url) result.meta.url = root + result.meta.url;
        return result;
      }
    });
    // Pagefind's field has only a title: give it a visible label, above Pagefind's interface.
    var input = box.querySelector(".pagefind-ui__search-input");
    if (input && box.getAttribute("data-label")) {
      var label = document.createElement("label");
      label.className = "search-label";
      label.htmlFor = input.id = "search-input";
      label.textContent = box.getAttribute("data-label");
      box.insertBefore(label, box.querySelector(".pagefind-ui"));
    }
    showStages(box, root);
    if (query) ui.triggerSearch(query);
    box.addEventListener("input", function (event) {
      if (!event.target.matches || !event.target.matches("input")) return;
      if (header) header.value = event.target.value;
      var url = new URL(window.location.href);
      if (event.target.value) url.searchParams.set("q", event.target.value); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url);
    });
  }

  // The search index holds nothing an assessment changes (search.py), so that editing a level leaves it
  // as it was: a group result's stage and score come from the group's own data.json, fetched when the
  // result is shown, and written under its title as on the group tables: a stage badge and the score.
  function showStages(box, root) {
    var stages = JSON.parse(box.getAttribute("data-stages") || "{}");
    var scoreLabel = box.getAttribute("data-score-label");
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined,
                                       { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    var records = {};

    // A group's record is published once, at the site's root (kelompok/<id>/data.json), for every language.
    function recordPath(href) {
      var path = new URL(href).pathname;
      var match = path.indexOf(root) === 0 && /^(?:[a-z]{2}\/)?(kelompok\/.+\/)index\.html$/.exec(path.slice(root.length));
      return match ? root + match[1] + "data.json" : null;
    }

    function record(href) {
      if (!records[href]) {
        records[href] = window.fetch(recordPath(href)).then(function (response) {
          return response.ok ? response.json() : null;
        }).catch(function () { return null; });
      }
      return records[href];
    }

    function describe(result) {
      var link = result.querySelector(".pagefind-ui__result-link");
      var shown = result.querySelector(".result-stage");
      var href = link && link.href;
      if (shown && shown.getAttribute("data-for") === href) return;
      if (shown) shown.remove();
      if (!href || !recordPath(href)) return;
      record(href).then(function (group) {
        var stage = group && stages[group.tahap];
        if (!stage || link.href !== href || result.querySelector(".result-stage")) return;
        var line = document.createElement("p");
        line.className = "result-stage";
        line.setAttribute("data-for", href);
        var badge = document.createElement("span");
        badge.className = "badge " + stage[1];
        badge.textContent = stage[0];
        line.appendChild(badge);
        if (typeof group.skor === "number" && !group.bubar) {
          line.appendChild(document.createTextNode(" " + scoreLabel + " " + format.format(group.skor)));
        }
        var title = result.querySelector(".pagefind-ui__result-title");
        title.parentNode.insertBefore(line, title.nextSibling);
      });
    }

    new window.MutationObserver(function () {
      box.querySelectorAll(".pagefind-ui__result").forEach(describe);
    }).observe(box, { childList: true, subtree: true, attributes: true, attributeFilter: ["href"] });
  }

  // A table wider than the screen scrolls inside its box (.table-scroll). While it does, the box takes
  // the keyboard's focus, so it can be scrolled without a pointer, and is named after what it holds.
  function watchScrollBoxes() {
    if (typeof window.ResizeObserver !== "function") return;
    var observer = new window.ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var box = entry.target.closest(".table-scroll");
        if (box.scrollWidth > box.clientWidth + 1) {
          var named = box.querySelector("caption") || (box.closest("figure") || box).querySelector("figcaption") ||
            (box.closest("details") || box).querySelector("summary");
          box.tabIndex = 0;
          box.setAttribute("role", "region");
          if (named) box.setAttribute("aria-label", named.textContent.trim());
        } else if (box.hasAttribute("tabindex")) {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      });
    });
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      observer.observe(box);
      if (box.firstElementChild) observer.observe(box.firstElementChild);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchScrollBoxes();
    document.querySelectorAll("table[data-groups]").forEach(makeSortable);
    document.querySelectorAll("form[data-filters-for]").forEach(makeFilterable);
    var search = document.getElementById("search");
    if (search) startSearch(search);
  });

})();
