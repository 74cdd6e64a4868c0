"""The pages people read: a folder per site, the commissioners' pack, and an index.

:func:`warehouse.pages.build.write_pages` writes, under the output folder:

* ``index.html``: every site, its data quality and the commissioners' pack;
* ``<site_id>/``: the site's dashboard (``index.html``: every measure with its Making
  Data Count icons, a home x measure matrix of icons, new signals in plain words, the
  data-quality status and the change log), a page per measure (the site chart, its
  homes' small multiples, a funnel, the definition, the points with their extract
  files, and the points as CSV), PNGs of the site charts (``charts/``) and the QI
  meeting's slides (``<site_id>_qi_meeting.pptx``), with plotly.js beside the pages;
* ``commissioners/``: the ROI with its intervals, sensitivity and assumptions, every
  site's icons, and the suppressed tables as CSV and XLSX.
"""
