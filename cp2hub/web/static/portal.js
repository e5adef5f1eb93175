// The sub-county list follows the county chosen, in place (without JavaScript the page
// lists the chosen county's sub-counties after Search, or all of them grouped by county).
document.querySelectorAll("select[data-sub-counties]").forEach(function (sub) {
  var county = document.getElementById(sub.dataset.county);
  var data = document.getElementById(sub.dataset.subCounties);
  if (!county || !data) return;
  var all = JSON.parse(data.textContent);
  county.addEventListener("change", function () {
    var chosen = county.value;
    var keep = sub.value;
    while (sub.options.length > 1 || sub.querySelector("optgroup")) {
      sub.removeChild(sub.lastChild);
    }
    all.forEach(function (c) {
      if (chosen && c[0] !== chosen) return;
      var group = document.createElement("optgroup");
      group.label = c[1];
      c[2].forEach(function (s) {
        var option = new Option(s[1], s[0]);
        option.selected = s[0] === keep;
        group.appendChild(option);
      });
      sub.appendChild(group);
    });
  });
});
