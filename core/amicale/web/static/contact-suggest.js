/* Suggestions of contacts while a name is typed in a contact field (macros/fields.html
   contact_field): picking one puts the contact's number in the field, which is what the form
   sends. Without JavaScript the field takes a number as it is. */
(function () {
  function enhance(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) return;
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || /^[0-9, ]+$/.test(q)) return;
      timer = setTimeout(function () {
        fetch(input.dataset.contactSuggest + "?q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" }, credentials: "same-origin"
        })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            list.replaceChildren();
            (data.items || []).forEach(function (c) {
              var option = document.createElement("option");
              option.value = String(c.id);
              option.label = c.display_name + (c.city ? " (" + c.city + ")" : "");
              option.textContent = option.label;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }
  document.querySelectorAll("input[data-contact-suggest]").forEach(enhance);
})();
