// Maps of the public pages. The base layer is the country outlines of the world-atlas
// package (Natural Earth 1:110m), so the map needs no tile server and no outside network.
//
// <div class="map" data-geojson-url="..."> draws one circle per project from a GeoJSON
// FeatureCollection (sized by MW, coloured by status, with a popup); <div class="map"
// data-site="element-id"> draws a project's site and its grid connections from a
// json_script block. Labels come from data-label-* attributes, translated by Django.
import * as L from "leaflet";
import { feature } from "topojson-client";
import countries from "world-atlas/countries-110m.json";

const WORLD = [
  [-58, -170],
  [75, 180],
];

// Rings of Russia and Fiji cross the antimeridian, jumping from 180° to -180°, which Leaflet
// would draw as a line across the world: continue them past 180° instead.
function unwrap(ring) {
  const out = [ring[0]];
  for (const [longitude, latitude] of ring.slice(1)) {
    const previous = out[out.length - 1][0];
    let x = longitude;
    while (x - previous > 180) x -= 360;
    while (previous - x > 180) x += 360;
    out.push([x, latitude]);
  }
  return out;
}

function outlines() {
  const shapes = feature(countries, countries.objects.countries).features.filter(
    (country) => country.properties.name !== "Antarctica", // no projects, and it runs along the edge of the map
  );
  for (const shape of shapes) {
    const geometry = shape.geometry;
    if (geometry.type === "Polygon") geometry.coordinates = geometry.coordinates.map(unwrap);
    else geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(unwrap));
  }
  return shapes;
}

function baseMap(element) {
  const map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 12 });
  map.fitBounds(WORLD); // layers can only be drawn once the map has a view
  map.attributionControl.addAttribution("Natural Earth (world-atlas)");
  L.geoJSON(outlines(), {
    interactive: false,
    style: { color: "#8a9aa8", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
  }).addTo(map);
  return map;
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

// Every stored string reaches the page through textContent: names are data, never markup.
// Leaflet writes string content (popups, tooltips) as innerHTML, so it only ever gets nodes.
function popupFor(properties, labels) {
  const box = document.createElement("div");
  box.className = "map-popup";
  box.append(text("strong", properties.name));
  const facts = document.createElement("p");
  const capacity = properties.capacity_mw;
  facts.append(text("span", capacity == null ? labels.noCapacity : `${labels.number.format(capacity)} MW`));
  facts.append(document.createElement("br"));
  facts.append(text("span", properties.status_label));
  box.append(facts);
  const link = text("a", labels.open);
  link.href = properties.url;
  box.append(link);
  return box;
}

async function projectsMap(element) {
  const map = baseMap(element);
  const labels = {
    open: element.dataset.labelOpen,
    noCapacity: element.dataset.labelNoCapacity,
    // figures grouped the way the page's language writes them (700, 1,250 or 1 250)
    number: new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 }),
  };
  const response = await fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } });
  if (!response.ok) {
    element.dataset.state = "error";
    return;
  }
  const data = await response.json();
  // Larger circles first so that smaller ones stay clickable on top of them.
  data.features.sort((a, b) => (b.properties.capacity_mw || 0) - (a.properties.capacity_mw || 0));
  const layer = L.geoJSON(data, {
    pointToLayer: (point, latlng) =>
      L.circleMarker(latlng, {
        radius: point.properties.radius, // sized on the server, like the legend (charts.marker_radius)
        color: "#1f2933",
        weight: 0.6,
        fillColor: point.properties.colour,
        fillOpacity: 0.75,
        className: "project-marker",
      }),
    onEachFeature: (point, marker) => {
      marker.bindPopup(() => popupFor(point.properties, labels));
      // Leaflet writes a string tooltip as HTML; a node built here keeps the name as text.
      marker.bindTooltip(() => text("span", point.properties.name));
    },
  }).addTo(map);
  // Chromium puts every clickable circle in the tab order, unnamed: thousands of stops between the
  // map and the rest of the page. Keyboard users get the same projects from the list linked above.
  layer.eachLayer((marker) => marker.getElement()?.setAttribute("tabindex", "-1"));
  if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 5 });
  element.dataset.markerCount = String(data.features.length);
  element.dataset.state = "ready";
}

function siteMap(element) {
  const map = baseMap(element);
  L.control.scale({ imperial: false }).addTo(map); // the outlines alone give no sense of distance
  const site = JSON.parse(document.getElementById(element.dataset.site).textContent);
  const points = [[site.latitude, site.longitude]];
  L.circleMarker(points[0], {
    radius: 9,
    color: "#1f2933",
    weight: 2,
    fillColor: site.colour,
    fillOpacity: 0.9,
    className: "project-marker",
  })
    .bindTooltip(text("span", site.name), { permanent: true, direction: "top" })
    .addTo(map);
  for (const substation of site.substations) {
    const point = [substation.latitude, substation.longitude];
    points.push(point);
    L.polyline([points[0], point], { color: "#7b3294", weight: 2, dashArray: "6 4" }).addTo(map);
    L.circleMarker(point, { radius: 6, color: "#7b3294", weight: 2, fillColor: "#ffffff", fillOpacity: 1 })
      .bindTooltip(text("span", [substation.label, substation.distance_label].filter(Boolean).join(" · ")), {
        permanent: true,
        direction: "bottom",
      })
      .addTo(map);
  }
  // close enough to tell the site from its substation, far enough to see the region and its borders
  map.fitBounds(L.latLngBounds(points).pad(0.6), { maxZoom: 9 });
  element.dataset.state = "ready";
}

for (const element of document.querySelectorAll(".map[data-geojson-url]")) projectsMap(element);
for (const element of document.querySelectorAll(".map[data-site]")) siteMap(element);
