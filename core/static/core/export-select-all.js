/* The export form's "select all" box, bound here rather than by an inline onchange attribute
   (which the Content-Security-Policy blocks). onSelectToggleChange comes from
   django-import-export's export_selectable_fields.js, loaded with the form's media. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
    const toggle = document.querySelector("input.select-toggle");
    if (toggle && typeof onSelectToggleChange === "function") {
        toggle.addEventListener("change", onSelectToggleChange);
    }
});
