/* The board of a field search in the console, live: its map (the assembly point, the sectors
   by state: free a dashed outline, assigned to a team shaded with ⚑, searched filled with ✓,
   each labelled; the finds with a point, a diamond with ★; and, for the case's staff while
   they are checked in, the searchers' last positions, a dot with the start of their pseudonym),
   and, while the search is open, the board brought up to date every few seconds without
   reloading the page: the map's shapes redrawn in place (the view is kept) and the counts and
   tables replaced, except one holding the focus. A switch pauses it. The tables stay the
   accessible form; without tiles the points are also listed under the map. */
(function () {
  "use strict";
  var maps = window.AlertsMaps;
  var page = maps && maps.onPage();
  if (!page) { return; }
  var box = page.box;
  var pointList = page.list;
  var toggle = document.querySelector("[data-live-toggle]");
  var SECTORS = {
    free: { shape: { color: "#374151", weight: 1, dashArray: "4 4", fill: false }, mark: "" },
    assigned: { shape: { color: "#7a4a00", weight: 2, fillColor: "#7a4a00", fillOpacity: 0.22 }, mark: "\u2691 " },
    searched: { shape: { color: "#0f6b2f", weight: 2, fillColor: "#0f6b2f", fillOpacity: 0.45 }, mark: "\u2713 " }
  };
  var map = null;
  var layer = null;
  var timer = null;

  function draw(data) {
    if (!map) {
      map = maps.open(box, page.fallback);
      layer = window.L.featureGroup().addTo(map);
    }
    layer.clearLayers();
    pointList.textContent = "";
    var a = data.assembly;
    window.L.marker([a.lat, a.lon], { title: a.text, alt: a.text }).addTo(layer);
    maps.listPoint(pointList, a.text, a.lat, a.lon);
    data.sectors.forEach(function (s) {
      var look = SECTORS[s.state] || SECTORS.free;
      window.L.rectangle(s.bounds, look.shape).addTo(layer).bindTooltip(look.mark + s.label, {
        permanent: true, direction: "center", className: "map-label sector-" + s.state
      });
    });
    data.finds.forEach(function (f) {
      maps.badge([f.lat, f.lon], "mark-find", "\u2605", f.text).addTo(layer);
      maps.listPoint(pointList, f.text, f.lat, f.lon).dataset.kind = "find";
    });
    data.searchers.forEach(function (s) {
      var letters = s.text.replace(/^V-/, "").slice(0, 2);
      maps.badge([s.lat, s.lon], "mark-searcher", letters, s.text).addTo(layer);
      maps.listPoint(pointList, s.text, s.lat, s.lon).dataset.kind = "searcher";
    });
  }

  /* The counts and tables of the page as it is now; a part holding the focus is left alone
     (a team leader button being pressed, a table being scrolled with the keyboard). */
  function refreshParts() {
    return fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error("no longer signed in"); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-live]").forEach(function (part) {
        var other = fresh.querySelector("[data-live=\"" + part.dataset.live + "\"]");
        if (other && !part.contains(document.activeElement)) { part.innerHTML = other.innerHTML; }
      });
      var still = fresh.querySelector("[data-map]");
      if (!still || !still.dataset.refreshSeconds) { stop(); }
    });
  }

  function update() {
    if (document.hidden || (toggle && !toggle.checked)) { return; }
    Promise.all([maps.fetchData(box.dataset.mapUrl).then(draw), refreshParts()]).catch(stop);
  }

  function stop() {
    window.clearInterval(timer);
    if (toggle) { toggle.checked = false; toggle.disabled = true; }
  }

  maps.fetchData(box.dataset.mapUrl).then(function (data) {
    draw(data);
    map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 16 });
    var seconds = parseInt(box.dataset.refreshSeconds, 10);
    if (seconds > 0) {
      document.querySelector("[data-live-toggle-row]").hidden = false;
      timer = window.setInterval(update, seconds * 1000);
    }
  }).catch(function () { box.hidden = true; });
})();
