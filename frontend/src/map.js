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

function baseMap(element) {
  const map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 12 });
  map.fitBounds(WORLD); // layers can only be drawn once the map has a view
  map.attributionControl.addAttribution("Natural Earth (world-atlas)");
  L.geoJSON(feature(countries, countries.objects.countries), {
    interactive: false,
    style: { color: "#8a9aa8", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
  }).addTo(map);
  return map;
}

// Circle area proportional to the capacity; projects with no MW figure stay visible.
function radiusFor(megawatts) {
  return megawatts ? Math.min(4 + Math.sqrt(megawatts) * 0.6, 32) : 4;
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

// Built from DOM nodes with textContent: project names are data, never markup.
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
        radius: radiusFor(point.properties.capacity_mw),
        color: "#1f2933",
        weight: 1,
        fillColor: point.properties.colour,
        fillOpacity: 0.8,
        className: "project-marker",
      }),
    onEachFeature: (point, marker) => {
      marker.bindPopup(() => popupFor(point.properties, labels));
      marker.bindTooltip(point.properties.name);
    },
  }).addTo(map);
  if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 5 });
  element.dataset.markerCount = String(data.features.length);
  element.dataset.state = "ready";
}

function siteMap(element) {
  const map = baseMap(element);
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
    .bindTooltip(site.name, { permanent: true, direction: "top" })
    .addTo(map);
  for (const substation of site.substations) {
    const point = [substation.latitude, substation.longitude];
    points.push(point);
    L.polyline([points[0], point], { color: "#7b3294", weight: 2, dashArray: "6 4" })
      .bindTooltip(substation.distance_label || "")
      .addTo(map);
    L.circleMarker(point, { radius: 6, color: "#7b3294", weight: 2, fillColor: "#ffffff", fillOpacity: 1 })
      .bindTooltip(substation.label, { permanent: true, direction: "bottom" })
      .addTo(map);
  }
  map.fitBounds(L.latLngBounds(points).pad(0.6), { maxZoom: 10 });
  element.dataset.state = "ready";
}

for (const element of document.querySelectorAll(".map[data-geojson-url]")) projectsMap(element);
for (const element of document.querySelectorAll(".map[data-site]")) siteMap(element);
