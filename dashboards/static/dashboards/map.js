/* The district map: a schematic outline of the communes (no tiles) and one marker per site. */
(function () {
  "use strict";
  var element = document.getElementById("district-map");
  if (!element || typeof L === "undefined") { return; }
  var sites = JSON.parse(document.getElementById("map-sites").textContent);
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: false, minZoom: 9, maxZoom: 16 });

  function popup(props) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = props.name;
    link.className = "fw-semibold";
    box.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "small text-muted";
    meta.textContent = props.unit + " · " + props.kind;
    box.appendChild(meta);
    var state = document.createElement("div");
    state.className = "mt-1";
    state.style.color = props.colour;
    state.textContent = props.state;
    box.appendChild(state);
    props.reasons.forEach(function (reason) {
      var item = document.createElement("div");
      item.className = "small";
      item.textContent = "• " + reason;
      box.appendChild(item);
    });
    return box;
  }

  var markers = L.geoJSON(sites, {
    pointToLayer: function (feature, latlng) {
      var p = feature.properties;
      return L.circleMarker(latlng, {
        radius: p.key_site ? 9 : 7, color: "#fff", weight: 2, fillColor: p.colour, fillOpacity: 0.95,
      });
    },
    onEachFeature: function (feature, layer) {
      layer.bindPopup(function () { return popup(feature.properties); });
      layer.bindTooltip(feature.properties.name);
    },
  });

  // The outline is drawn per commune as it was; a merged commune reads as part of its successor.
  var unitsNode = document.getElementById("map-units");
  var units = unitsNode ? JSON.parse(unitsNode.textContent) : {};

  function relabel(outline) {
    var groups = {};
    outline.features.forEach(function (feature) {
      var p = feature.properties, now = units[p.code];
      if (p.kind !== "commune" || !now) { return; }
      p.short = now.short; p.name = now.name; p.group = now.group;
      p.labelled = !groups[now.group];
      p.merged = now.group !== p.code || Boolean(groups[now.group]);
      if (groups[now.group]) { groups[now.group].merged = true; }
      groups[now.group] = groups[now.group] || p;
    });
    return outline;
  }

  function show(outline) {
    if (outline) {
      relabel(outline);
      var communes = L.geoJSON(outline, {
        style: function (feature) {
          var district = feature.properties.kind === "district";
          return {
            color: district ? "#6c757d" : "#adb5bd", weight: district ? 2 : 1,
            fillOpacity: district ? 1 : 0.6, dashArray: district ? null : "3 3",
            // Merged communes share one fill and lose the dashed border between them.
            stroke: district || !feature.properties.merged,
            fillColor: district ? "#f8f9fa" : (feature.properties.merged ? "#e7f1ff" : "#ffffff"),
          };
        },
        onEachFeature: function (feature, layer) {
          if (feature.properties.kind === "commune" && feature.properties.labelled !== false) {
            layer.bindTooltip(feature.properties.short, { permanent: true, direction: "center", className: "commune-label" });
          }
        },
      }).addTo(map);
      map.fitBounds(communes.getBounds(), { padding: [10, 10] });
    }
    markers.addTo(map);
    if (element.dataset.focus === "1" && markers.getLayers().length) {
      map.fitBounds(markers.getBounds(), { padding: [40, 40], maxZoom: 13 });
    } else if (!outline) {
      if (markers.getLayers().length) { map.fitBounds(markers.getBounds(), { padding: [30, 30] }); }
      else { map.setView([15.43, 108.62], 11); }
    }
  }

  fetch(element.dataset.outline, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; })
    .then(show);
})();
