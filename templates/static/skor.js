/* ksm-site: one assessment scored by the rules of ksm_site/domain/score.py (DESIGN §4), read from the
   rubric the build publishes (data/rubrik.json). No rule is written here as a number: this is the
   algorithm only, and tests/test_form_parity.py holds it equal to the Python scorer on generated
   assessments, every band edge and every gate included.

   Exact, as the Python is: every rubric number and percentage is a decimal read from its text
   ("62.5" -> 625 / 10), compared in integers (BigInt), never as a binary fraction. */
(function () {
  "use strict";

  /* A decimal text ("72", "72.5") or JSON number (which may print as 1e-7) as [digits, places]:
     72.5 -> [725n, 1]. */
  function decimal(value) {
    var text = String(value);
    var match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
    if (!match) throw new Error("not a decimal: " + text);
    var digits = BigInt(match[1] + (match[2] || "")), places = (match[2] ? match[2].length : 0) - Number(match[3] || 0);
    return places < 0 ? [digits * 10n ** BigInt(-places), 0] : [digits, places];
  }

  function scaled(d, places) { return d[0] * 10n ** BigInt(places - d[1]); }

  /* a >= b, exactly. */
  function atLeast(a, b) {
    var places = Math.max(a[1], b[1]);
    return scaled(a, places) >= scaled(b, places);
  }

  function maxLevel(indicator) { return indicator.level.length - 1; }

  /* The level a written value earns: itself, or its band for a percentage. */
  function levelOf(indicator, value) {
    if (!indicator.pita) return Number(value);
    var v = decimal(value);
    return indicator.pita.filter(function (edge) { return atLeast(v, decimal(edge)); }).length;
  }

  /* points * 100 >= min * maxPoints */
  function reaches(points, maxPoints, minScore) {
    var min = decimal(minScore);
    return BigInt(points) * 100n * 10n ** BigInt(min[1]) >= min[0] * BigInt(maxPoints);
  }

  function applicable(rubric, jenis) {
    return rubric.indikator.filter(function (i) { return i.berlaku.indexOf(jenis) >= 0; });
  }

  function gatesHold(stage, levels) {
    return Object.keys(stage.syarat).every(function (key) {
      return !(key in levels) || levels[key] >= stage.syarat[key];
    });
  }

  /* Up to three indicators below their top level, most room first, ties in rubric order. */
  function roomToGrow(indicators, levels) {
    var below = indicators.filter(function (i) { return levels[i.kunci] < maxLevel(i); });
    below = below.map(function (i, n) { return [maxLevel(i) - levels[i.kunci], n, i.kunci]; });
    below.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return below.slice(0, 3).map(function (r) { return r[2]; });
  }

  /* values: indicator key -> a level (number) or a percentage (decimal text) for each applicable indicator. */
  function score(rubric, jenis, values) {
    var indicators = applicable(rubric, jenis), stages = rubric.tahap;
    var levels = {}, points = 0, maxPoints = 0;
    indicators.forEach(function (i) {
      levels[i.kunci] = levelOf(i, values[i.kunci]);
      points += levels[i.kunci];
      maxPoints += maxLevel(i);
    });
    var tenths = Number((2000n * BigInt(points) + BigInt(maxPoints)) / (2n * BigInt(maxPoints)));
    var reached = 0, band = 0, gatesSoFar = true;
    stages.forEach(function (stage, n) {
      gatesSoFar = gatesSoFar && gatesHold(stage, levels);
      if (reaches(points, maxPoints, stage.skor_min)) {
        band = n;
        if (gatesSoFar) reached = n;
      }
    });
    var result = {level: levels, poin: points, poin_maks: maxPoints, persepuluh: tenths,
                  tahap: stages[reached].kunci, pita: stages[band].kunci, menuju: null,
                  saran: roomToGrow(indicators, levels)};
    if (reached + 1 < stages.length) {
      var target = stages[reached + 1], min = decimal(target.skor_min);
      var denominator = 100n * 10n ** BigInt(min[1]), numerator = min[0] * BigInt(maxPoints);
      var needed = Number((numerator + denominator - 1n) / denominator);
      var required = {};
      stages.slice(0, reached + 2).forEach(function (stage) {
        Object.keys(stage.syarat).forEach(function (key) {
          required[key] = Math.max(required[key] || 0, stage.syarat[key]);
        });
      });
      var unmet = indicators.filter(function (i) {
        return i.kunci in required && levels[i.kunci] < required[i.kunci];
      }).map(function (i) { return {indikator: i.kunci, level: levels[i.kunci], syarat: required[i.kunci]}; });
      result.menuju = {tahap: target.kunci, kurang_poin: Math.max(0, needed - points), syarat_belum: unmet,
                       saran: result.saran};
    }
    return result;
  }

  window.KsmSkor = {score: score, levelOf: levelOf, applicable: applicable, decimal: decimal};
})();
