"""What leaves the warehouse as files: spreadsheets, chart images and slide decks.

Library code the pages asset calls (issue 12, section 3); nothing here decides what a
figure says or which counts are hidden.

- :mod:`warehouse.exports.spreadsheet`: CSV and XLSX tables, every text cell that could
  start a formula escaped (:func:`~warehouse.exports.spreadsheet.write_tables`).
- :mod:`warehouse.exports.roi_tables`: the commissioners' tables from the ROI report
  objects, which are already through disclosure control
  (:func:`~warehouse.exports.roi_tables.roi_tables`).
- :mod:`warehouse.exports.images`: PNGs of plotly figures through one warm kaleido
  browser per run (:func:`~warehouse.exports.images.png_writer`).
- :mod:`warehouse.exports.deck`: a PowerPoint deck per site, one slide per measure
  (:func:`~warehouse.exports.deck.write_deck`).

The submodules are imported one by one, so that reading a table does not load a
browser driver or python-pptx.
"""
