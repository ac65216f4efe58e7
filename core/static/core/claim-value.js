/* Claim rows: show only the value inputs the chosen attribute needs (a figure, an amount
   and its currency, a date, a text or an organization). Without this script every input
   stays visible and the form works the same. */
"use strict";
{
    function partsFor(row, table) {
        const attribute = row.querySelector("td.field-attribute select");
        return attribute && attribute.value ? table[attribute.value] || null : null;
    }

    function showValueParts(row, table) {
        const wanted = partsFor(row, table);
        const valueInputs = new Set(Object.values(table).flat());
        row.querySelectorAll(".field-group .cell-part").forEach((part) => {
            const name = [...part.classList].find((c) => c.startsWith("part-")).slice(5);
            const isValue = valueInputs.has(name);
            // Never hide an input that holds a value or an error: nothing typed disappears.
            const input = part.querySelector("input:not([type=hidden]), select, textarea");
            const filled = input && input.value && !(input.tagName === "SELECT" && name === "value_date_precision");
            part.hidden = isValue && wanted !== null && !wanted.includes(name) && !filled && !part.classList.contains("errors");
        });
    }

    function init() {
        const data = document.getElementById("claim-value-parts");
        if (!data) {
            return;
        }
        const table = JSON.parse(data.textContent);
        const group = data.closest(".inline-group");
        group.querySelectorAll("tr.form-row").forEach((row) => showValueParts(row, table));
        group.addEventListener("change", (event) => {
            if (event.target.matches("td.field-attribute select")) {
                showValueParts(event.target.closest("tr"), table);
            }
        });
        document.addEventListener("formset:added", (event) => {
            if (group.contains(event.target)) {
                showValueParts(event.target, table);
            }
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}
