"""Charts of the loaded dataset: frames in pandas, a layout in pixels, Altair charts, and their rendering.

- `frames`: the flat frames the charts draw (one row per event, participation or claim), pure pandas.
- `layout`: lanes, rows and label levels placed before Vega draws.
- `builders`: the timeline, actors and claims charts, and `make_chart`.
- `rendering`: HTML, PNG, SVG or Vega-Lite JSON, offline, with the Vega bundle cached.
"""
