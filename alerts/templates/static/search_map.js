/* The map of a field search's board in the console: the assembly point, the sectors by state
   (free: a dashed outline; assigned to a team: shaded, ⚑; searched: filled, ✓; each labelled),
   the finds with a point (a diamond, ★) and, for the case's staff while they are checked in,
   the searchers' last positions (a dot with their pseudonym as its name). The tables under it
   stay the accessible form; without tiles the points are also listed under the map. */
(function () {
  "use strict";
  var box = document.querySelector("[data-map]");
  if (!box || !window.L || !window.AlertsMaps) { return; }
  var maps = window.AlertsMaps;
  var pointList = document.querySelector("[data-map-points]");
  var SECTORS = {
    free: { shape: { color: "#374151", weight: 1, dashArray: "4 4", fill: false }, mark: "" },
    assigned: { shape: { color: "#7a4a00", weight: 2, fillColor: "#7a4a00", fillOpacity: 0.22 }, mark: "\u2691 " },
    searched: { shape: { color: "#0f6b2f", weight: 2, fillColor: "#0f6b2f", fillOpacity: 0.45 }, mark: "\u2713 " }
  };

  function draw(data) {
    var map = maps.open(box, document.querySelector("[data-map-fallback]"));
    var layer = window.L.featureGroup().addTo(map);
    var a = data.assembly;
    window.L.marker([a.lat, a.lon], { title: a.text, alt: a.text }).addTo(layer);
    maps.listPoint(pointList, a.text, a.lat, a.lon);
    data.sectors.forEach(function (s) {
      var look = SECTORS[s.state] || SECTORS.free;
      var rectangle = window.L.rectangle(s.bounds, look.shape).addTo(layer);
      rectangle.bindTooltip(look.mark + s.label, { permanent: true, direction: "center", className: "map-label sector-" + s.state });
    });
    data.finds.forEach(function (f) {
      maps.badge([f.lat, f.lon], "mark-find", "\u2605", f.text).addTo(layer);
      maps.listPoint(pointList, f.text, f.lat, f.lon).dataset.kind = "find";
    });
    data.searchers.forEach(function (s) {
      maps.badge([s.lat, s.lon], "mark-searcher", s.text.replace(/^V-/, "").slice(0, 2), s.text).addTo(layer);
      maps.listPoint(pointList, s.text, s.lat, s.lon).dataset.kind = "searcher";
    });
    map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 16 });
  }

  maps.fetchData(box.dataset.mapUrl).then(draw).catch(function () { box.hidden = true; });
})();
