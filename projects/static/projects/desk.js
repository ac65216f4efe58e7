/* The review desk's keyboard: j and k move from fact to fact, a accepts, r rejects, e opens the
   correction, ? shows the help, Escape closes it. Each key uses the page's own forms, which work
   the same without this script; the fact the server sends back to (#fact-N) is the current one. */
"use strict";
{
    function init() {
        const desk = document.getElementById("desk");
        if (!desk) {
            return;
        }
        const facts = [...desk.querySelectorAll(".desk-fact")];
        const marks = [...desk.querySelectorAll("mark.desk-quote")];
        const help = document.getElementById("desk-help");
        const hint = desk.querySelector(".desk-hint");
        if (hint) {
            hint.hidden = false;
        }
        let current = -1;

        function marksOf(fact) {
            const id = fact.dataset.fact;
            return marks.filter((mark) => mark.dataset.facts.split(" ").includes(id));
        }

        function select(index, scroll) {
            if (!facts.length) {
                return;
            }
            current = Math.max(0, Math.min(facts.length - 1, index));
            for (const fact of facts) {
                fact.classList.remove("current");
                fact.removeAttribute("aria-current");
            }
            for (const mark of marks) {
                mark.classList.remove("current");
            }
            const fact = facts[current];
            fact.classList.add("current");
            fact.setAttribute("aria-current", "true");
            const quoted = marksOf(fact);
            for (const mark of quoted) {
                mark.classList.add("current");
            }
            if (scroll) {
                if (quoted.length) {
                    quoted[0].scrollIntoView({ block: "nearest" });
                }
                fact.scrollIntoView({ block: "nearest" });
            }
            history.replaceState(null, "", `${location.pathname}${location.search}#${fact.id}`);
        }

        function submit(selector) {
            const fact = facts[current];
            const button = fact && fact.querySelector(selector);
            if (button) {
                button.form.requestSubmit(button);
            }
        }

        function edit() {
            const fact = facts[current];
            const details = fact && fact.querySelector("details.desk-edit");
            if (!details) {
                return;
            }
            details.open = true;
            const input = details.querySelector("input.desk-value");
            if (input) {
                input.focus();
                input.select();
            }
        }

        function toggleHelp(show) {
            if (!help) {
                return;
            }
            help.hidden = show === undefined ? !help.hidden : !show;
            if (!help.hidden) {
                help.focus();
            }
        }

        const start = facts.findIndex((fact) => `#${fact.id}` === location.hash);
        const firstProposed = facts.findIndex((fact) => fact.classList.contains("status-proposed"));
        select(start >= 0 ? start : Math.max(firstProposed, 0), start >= 0);

        document.addEventListener("keydown", (event) => {
            if (event.key === "Escape") {
                if (help && !help.hidden) {
                    toggleHelp(false);
                    return;
                }
                const open = event.target.closest && event.target.closest("details.desk-edit");
                if (open) {
                    open.open = false;
                    facts[current].focus();
                }
                return;
            }
            if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
                return;
            }
            if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) {
                return;
            }
            const actions = {
                j: () => select(current + 1, true),
                k: () => select(current - 1, true),
                a: () => submit("button.desk-accept"),
                r: () => submit("button.desk-reject"),
                e: edit,
                "?": () => toggleHelp(),
            };
            const action = actions[event.key];
            if (action) {
                event.preventDefault();
                action();
            }
        });

        for (const mark of marks) {
            mark.addEventListener("click", () => {
                const first = mark.dataset.facts.split(" ")[0];
                select(facts.findIndex((fact) => fact.dataset.fact === first), true);
            });
        }
        facts.forEach((fact, index) => {
            fact.addEventListener("click", (event) => {
                if (!event.target.closest("a, button, input, select, textarea, summary")) {
                    select(index, false);
                }
            });
        });
        const close = help && help.querySelector(".desk-help-close");
        if (close) {
            close.addEventListener("click", () => toggleHelp(false));
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}
