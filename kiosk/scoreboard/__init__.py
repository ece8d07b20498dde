"""The department scoreboard (要素保障大比拼) and the half-yearly public disclosure.

- models: the weights organisers set, the efficiency points they enter per department and month,
  published rankings and disclosures (each frozen as it was published);
- service: the rules for setting weights, entering points and publishing;
- documents: the ranking's PDF and XLSX, the disclosure's PDF;
- public: the disclosure's public pages (no sign-in; nothing before an organiser publishes);
- figures and disclosure: the figures themselves (inputs, scores, ranks; the half year's), plain
  data for pages, PDFs, XLSX and JSON alike.
"""
