/* ksm-site: the assessment form (nilai/, DESIGN §10). No framework, no request to a server: the group
   and its latest assessment come in the link's fragment (#id=...&jenis=..., see ksm_site/site/form.py),
   the rubric and the words in data attributes of the form, so the page works offline and from disk.
   Scoring is skor.js's; this file fills the form, checks it as `check` would, keeps a draft in the
   browser and writes the text for the group's file. */
(function () {
  "use strict";
  var form = document.getElementById("nilai");
  if (!form || !window.KsmSkor) return;
  var rubric = JSON.parse(form.dataset.rubrik), T = JSON.parse(form.dataset.teks);
  var lang = document.documentElement.lang, locale = form.dataset.locale || lang, repo = form.dataset.repo, branch = form.dataset.cabang;
  var link = new URLSearchParams(location.hash.slice(1));
  var group = link.get("id") ? {
    id: link.get("id"), nama: link.get("nama") || "", jenis: link.get("jenis") || "", berkas: link.get("berkas") || ".md",
    dibentuk: link.get("dibentuk") || "", bubar: link.get("bubar") || "",
    ada: (link.get("ada") || "").split(",").filter(Boolean)
  } : null;
  var draftKey = "ksm-nilai:" + (group ? group.id : "baru");
  var ID = /^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9]+(-[a-z0-9]+)*)*$/;
  var PERCENT = /^\d+(\.\d+)?$/;

  function $(selector) { return form.querySelector(selector); }
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function text(value) { return value[lang] || value.id; }
  function field(name) { return form.elements[name]; }
  function value(name) { var f = field(name); return f ? String(f.value).trim() : ""; }
  function byKey(list, key) { return list.filter(function (x) { return x.kunci === key; })[0]; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function today() { var d = new Date(); return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function longDate(iso) {
    var d = new Date(iso + "T00:00:00");
    return isNaN(d) ? iso : d.toLocaleDateString(locale, {day: "numeric", month: "long", year: "numeric"});
  }
  function number(n) { return String(n).replace(".", T.decimal); }
  function isDate(v) { return /^\d{4}-\d{2}-\d{2}$/.test(v) && !isNaN(new Date(v + "T00:00:00")); }

  /* The controls a draft keeps: every named control of the form. */
  function controls() {
    return Array.prototype.filter.call(form.elements, function (e) { return e.name && e.type !== "button"; });
  }
  function names() {
    var seen = [];
    controls().forEach(function (e) { if (seen.indexOf(e.name) < 0) seen.push(e.name); });
    return seen;
  }
  function setValue(name, v) { var f = field(name); if (f) f.value = v; }

  function jenis() { return group ? group.jenis : value("jenis"); }
  function fileName(id) { return "content/groups/" + id + (group ? group.berkas : ".md"); }

  /* ---- the group, the draft, the first values ---- */
  function start() {
    form.reset();
    var note = $('[data-catatan="isi"]'), restored = $('[data-catatan="draf"]');
    note.hidden = restored.hidden = true;
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
    if (draft && draft.values) {
      Object.keys(draft.values).forEach(function (name) { setValue(name, draft.values[name]); });
      restored.textContent = say(T.restored, {time: new Date(draft.time).toLocaleString(locale)});
      restored.hidden = false;
    } else {
      if (group && link.get("tanggal")) {
        names().forEach(function (name) {
          if (name !== "tanggal" && name !== "id" && link.has(name)) setValue(name, link.get(name));
        });
        note.textContent = say(T.prefilled, {date: longDate(link.get("tanggal"))});
        note.hidden = false;
      }
      setValue("tanggal", today());
    }
    update();
  }

  function saveDraft() {
    var values = {};
    names().forEach(function (name) { values[name] = field(name).value; });
    try { localStorage.setItem(draftKey, JSON.stringify({time: Date.now(), values: values})); } catch (e) { /* private mode */ }
  }
  function dropDraft() { try { localStorage.removeItem(draftKey); } catch (e) { /* private mode */ } }

  function showGroup() {
    $('[data-kelompok="ada"]').hidden = !group;
    var fresh = $('[data-kelompok="baru"]');
    fresh.hidden = !!group;
    Array.prototype.forEach.call(fresh.querySelectorAll("input"), function (e) { e.disabled = !!group; });
    if (group) {
      $('[data-kelompok="nama"]').textContent = group.nama;
      var j = byKey(rubric.jenis, group.jenis);
      $('[data-kelompok="jenis"]').textContent = j ? text(j.nama) : group.jenis;
      $('[data-kelompok="berkas"]').textContent = fileName(group.id);
    } else {
      $('[data-kelompok="baru-catatan"]').textContent = T.new_group;
    }
  }

  /* Only the indicators of the group's jenis are asked (and sent in the text). */
  function showIndicators() {
    var j = jenis();
    $('[data-catatan="jenis"]').hidden = !!j;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.indicator"), function (fs) {
      var applies = fs.dataset.berlaku.split(" ").indexOf(j) >= 0;
      fs.hidden = !applies;
      fs.disabled = !applies;
    });
  }

  /* ---- reading and checking, as `check` does ---- */
  function read() {
    var problems = [], missing = [], unusable = false, values = {}, indicators = KsmSkor.applicable(rubric, jenis());
    var formed = group ? group.dibentuk : value("dibentuk"), now = today();
    if (!group) {
      var empty = [];
      if (!ID.test(value("id"))) (value("id") ? problems.push(["id", T.id_bad]) : empty.push(label("id")));
      ["nama", "wilayah.provinsi", "wilayah.kota", "wilayah.kecamatan", "wilayah.kelurahan", "dibentuk"]
        .forEach(function (name) { if (!value(name)) empty.push(label(name)); });
      if (!value("jenis")) empty.push(form.querySelector("fieldset.choices legend").textContent);
      if (empty.length) problems.push(["", say(T.field_missing, {names: empty.join(", ")})]);
      if (formed && formed > now) problems.push(["dibentuk", say(T.formed_future, {date: longDate(formed)})]);
    }
    var date = value("tanggal");
    var wrong = !isDate(date) ? T.date_missing
      : date > now ? say(T.date_future, {date: longDate(date)})
      : formed && date < formed ? say(T.date_before, {date: longDate(date), formed: longDate(formed)})
      : group && group.bubar && date > group.bubar ? say(T.date_after, {date: longDate(date), dissolved: longDate(group.bubar)})
      : group && group.ada.indexOf(date) >= 0 ? say(T.date_taken, {date: longDate(date)}) : "";
    if (wrong) problems.push(["tanggal", wrong]);
    indicators.forEach(function (i) {
      var f = field(i.kunci), v = value(i.kunci);
      if (i.pita) {
        var bad = (f.validity && f.validity.badInput) || (v && !(PERCENT.test(v) && KsmSkor.decimal(v)[0] <= 100n * 10n ** BigInt(KsmSkor.decimal(v)[1])));
        f.setAttribute("aria-invalid", bad ? "true" : "false");
        if (bad) { problems.push([i.kunci, say(T.percent_bad, {name: text(i.nama)})]); unusable = true; return; }
        v = v.replace(/^0+(?=\d)/, "");
      }
      if (v === "") missing.push(text(i.nama));
      else values[i.kunci] = v;
    });
    var assets = rubric.aset.map(function (a) { return value("aset." + a.kunci); });
    var rated = assets.filter(Boolean).length;
    if (rated && rated < assets.length) problems.push(["", T.assets_some]);
    if (jenis() && missing.length) problems.push(["", say(T.incomplete, {names: missing.join(", ")})]);
    return {problems: problems, complete: !!jenis() && !missing.length && !unusable, values: values, date: date,
            assets: rated === assets.length ? assets : null, indicators: indicators};
  }
  function label(name) {
    var f = field(name), l = f && form.querySelector('label[for="' + f.id + '"]');
    return l ? l.textContent : name;
  }

  /* ---- the text for the group's file ---- */
  var KEYWORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
  function scalar(s) {
    return /^\p{L}[\p{L}\p{N} .,'()\/&+-]*$/u.test(s) && !/ $/.test(s) && !KEYWORDS.test(s) ? s : JSON.stringify(s);
  }
  function assessmentText(r) {
    var lines = ["  - tanggal: " + r.date];
    if (value("penilai")) lines.push("    penilai: " + scalar(value("penilai")));
    lines.push("    indikator:");
    r.indicators.forEach(function (i) {
      lines.push("      " + i.kunci + ": " + r.values[i.kunci] + (i.pita ? "%" : ""));
    });
    if (r.assets) {
      lines.push("    aset: {" + rubric.aset.map(function (a, n) { return a.kunci + ": " + r.assets[n]; }).join(", ") + "}");
    }
    var note = field("catatan").value.trim();
    if (note) lines.push("    catatan: " + (note.indexOf("\n") < 0 ? scalar(note) : JSON.stringify(note)));
    return lines.join("\n") + "\n";
  }
  function fileText(r) {
    var lines = ["---", "nama: " + scalar(value("nama")), "jenis: " + value("jenis"), "wilayah:"];
    ["provinsi", "kota", "kecamatan", "kelurahan"].forEach(function (k) {
      lines.push("  " + k + ": " + scalar(value("wilayah." + k)));
    });
    lines.push("dibentuk: " + value("dibentuk"), "penilaian:");
    return lines.join("\n") + "\n" + assessmentText(r) + "---\n";
  }

  /* ---- showing the result ---- */
  function element(tag, content) {
    var e = document.createElement(tag);
    if (content) e.textContent = content;
    return e;
  }
  function indicatorName(key) { return text(byKey(rubric.indikator, key).nama); }
  function stageName(key) { return text(byKey(rubric.tahap, key).nama); }

  function showResult(r) {
    var skor = $('[data-hasil="skor"]'), tahap = $('[data-hasil="tahap"]'), menuju = $('[data-hasil="menuju"]');
    var problems = $('[data-hasil="masalah"]');
    problems.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[data-masalah]"), function (p) { p.textContent = ""; });
    r.problems.forEach(function (p) {
      problems.appendChild(element("li", p[1]));
      var slot = p[0] && form.querySelector('[data-masalah="' + p[0] + '"]');
      if (slot) slot.textContent = p[1];
    });
    ["id", "tanggal", "dibentuk"].forEach(function (name) {
      var f = field(name);
      if (f) f.setAttribute("aria-invalid", r.problems.some(function (p) { return p[0] === name; }) ? "true" : "false");
    });
    menuju.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll(".bands li"), function (li) { li.classList.remove("on"); });
    if (!r.complete) {
      skor.textContent = "–"; skor.removeAttribute("data-skor");
      tahap.textContent = "–"; tahap.dataset.tahap = ""; tahap.className = "badge st-none";
      return null;
    }
    var s = KsmSkor.score(rubric, jenis(), r.values);
    skor.textContent = number(Math.floor(s.persepuluh / 10) + "." + s.persepuluh % 10);
    skor.dataset.skor = (s.persepuluh / 10).toFixed(1);
    tahap.textContent = stageName(s.tahap);
    tahap.dataset.tahap = s.tahap;
    tahap.className = "badge st-" + rubric.tahap.map(function (t) { return t.kunci; }).indexOf(s.tahap);
    r.indicators.forEach(function (i) {
      if (!i.pita) return;
      var li = form.querySelector('#b-' + i.kunci + ' li[data-level="' + s.level[i.kunci] + '"]');
      if (li) li.classList.add("on");
    });
    var next = s.menuju;
    if (!next) {
      menuju.appendChild(element("p", T.top));
    } else {
      var target = stageName(next.tahap), min = number(byKey(rubric.tahap, next.tahap).skor_min);
      menuju.appendChild(element("p", next.kurang_poin
        ? say(next.kurang_poin === 1 ? T.need_point : T.need_points, {stage: target, num: next.kurang_poin, min: min})
        : say(T.enough_points, {stage: target, min: min})));
      if (next.syarat_belum.length) {
        menuju.appendChild(element("p", say(T.gates, {stage: target})));
        var list = element("ul");
        list.dataset.hasil = "syarat";
        next.syarat_belum.forEach(function (g) {
          var li = element("li", say(T.gate, {name: indicatorName(g.indikator), level: g.level, required: g.syarat}));
          li.dataset.indikator = g.indikator;
          list.appendChild(li);
        });
        menuju.appendChild(list);
      } else {
        menuju.appendChild(element("p", say(T.no_gates, {stage: target})));
      }
    }
    if (s.saran.length) menuju.appendChild(element("p", say(T.room, {names: s.saran.map(indicatorName).join(", ")})));
    return s;
  }

  function showText(r, s) {
    var yaml = $('[data-hasil="yaml"]'), github = $('[data-hasil="github"]'), copy = $('[data-aksi="salin"]');
    var id = group ? group.id : value("id"), ok = s && !r.problems.length;
    var hint = group ? (group.ada.length ? T.paste_existing : T.paste_first) : T.paste_new;
    $('[data-hasil="petunjuk"]').textContent = say(hint, {file: fileName(ID.test(id) ? id : "…")});
    yaml.value = !ok ? "" : group ? (group.ada.length ? "" : "penilaian:\n") + assessmentText(r) : fileText(r);
    copy.disabled = !ok;
    github.hidden = !(ok && repo);
    if (ok && repo) {
      var base = "https://github.com/" + repo;
      if (group) {
        github.href = base + "/edit/" + encodeURI(branch) + "/" + encodeURI(fileName(id));
        github.textContent = say(T.github_edit, {file: fileName(id)});
      } else {
        github.href = base + "/new/" + encodeURI(branch) + "?filename=" + encodeURIComponent(fileName(id)) +
          "&value=" + encodeURIComponent(yaml.value);
        github.textContent = say(T.github_new, {file: fileName(id)});
      }
    }
  }

  function update() {
    showIndicators();
    var r = read();
    showText(r, showResult(r));
  }

  function copied(ok) {
    $('[data-hasil="salin"]').textContent = ok ? T.copied : T.copy_failed;
    if (ok) dropDraft();
  }

  showGroup();
  /* Every edit: "input" as it is typed or chosen, "change" for date pickers that send only that. */
  function edited() { update(); saveDraft(); $('[data-hasil="salin"]').textContent = ""; }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  $('[data-aksi="salin"]').addEventListener("click", function () {
    var yaml = $('[data-hasil="yaml"]');
    function fallback() {
      yaml.focus(); yaml.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      copied(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(yaml.value).then(function () { copied(true); }, fallback);
    } else {
      fallback();
    }
  });
  $('[data-aksi="hapus"]').addEventListener("click", function () {
    if (!window.confirm(T.clear_confirm)) return;  /* a slip of the thumb must not lose an assessment */
    dropDraft();
    $('[data-hasil="salin"]').textContent = "";
    start();
  });
  window.addEventListener("hashchange", function () { location.reload(); });
  start();

  /* Next time, also without a connection: this page and what it loads go into the cache that the form's
     service worker (nilai/sw.js, the form's folder only) answers from when the network does not. A page
     opened from disk needs neither, and may have neither. */
  if ("serviceWorker" in navigator && window.caches && /^https?:$/.test(location.protocol)) {
    var files = [location.href.split("#")[0]];
    Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]"),
                                 function (e) { files.push(e.href || e.src); });
    caches.open("ksm-nilai").then(function (cache) { return cache.addAll(files); }).catch(function () { /* no room */ });
    navigator.serviceWorker.register("sw.js").catch(function () { /* not allowed here */ });
  }
})();
