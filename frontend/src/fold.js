// The filter panel folds behind its summary on a phone, so that the first results come before
// it; on a screen wide enough for the sidebar (data-open-from, in CSS pixels) it stays open.
// Without JavaScript the summary still opens it.
for (const fold of document.querySelectorAll("details[data-open-from]")) {
  const wide = window.matchMedia(`(min-width: ${fold.dataset.openFrom}px)`);
  const follow = () => {
    if (wide.matches) fold.open = true;
  };
  follow();
  wide.addEventListener("change", follow);
}
