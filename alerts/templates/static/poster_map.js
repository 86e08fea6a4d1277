/* The map of a case's poster rounds in the console: the last-seen place, the zones of the
   newest round (held ones shaded, the others dashed, each labelled), and every place where
   posters went up, marked by state with a shape and a symbol (up: a dot with how many,
   removed: a dashed ring with ✕, marked for manual action: a square with !). The table under
   it stays the accessible form; without tiles the places are also listed under the map. */
(function () {
  "use strict";
  var maps = window.AlertsMaps;
  var page = maps && maps.onPage();
  if (!page) { return; }
  var pointList = page.list;
  var GLYPHS = { removed: "\u2715", manual: "!" };

  function draw(data) {
    var map = maps.open(page.box, page.fallback);
    var layer = window.L.featureGroup().addTo(map);
    var place = [data.place.lat, data.place.lon];
    window.L.marker(place, { title: data.place.text, alt: data.place.text }).addTo(layer);
    maps.listPoint(pointList, data.place.text, data.place.lat, data.place.lon);
    data.zones.forEach(function (zone) {
      var shape = zone.held
        ? { color: "#0b3d91", weight: 2, fillColor: "#0b3d91", fillOpacity: 0.18 }
        : { color: "#374151", weight: 1, dashArray: "4 4", fill: false };
      window.L.polygon(zone.outline, shape).addTo(layer)
        .bindTooltip(zone.label, { permanent: true, direction: "center", className: "map-label" });
    });
    data.places.forEach(function (p) {
      var glyph = GLYPHS[p.state] || String(p.count);
      maps.badge([p.lat, p.lon], "mark-" + p.state, glyph, p.text).addTo(layer);
      maps.listPoint(pointList, p.text, p.lat, p.lon).dataset.state = p.state;
    });
    map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 16 });
  }

  maps.fetchData(page.box.dataset.mapUrl).then(draw).catch(function () { page.box.hidden = true; });
})();
