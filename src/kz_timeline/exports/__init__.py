"""The dataset in the formats other tools read.

- `formats`: the table of export formats and `export()`, which the command line calls.
- `network`: the actors-and-events graph (networkx), as GraphML and GEXF.
- `timelinejs`: Knight Lab's TimelineJS 3 JSON.
- `spreadsheet`: a flat, formula-safe CSV sheet of events.
- `claimreview`: schema.org ClaimReview JSON-LD, one per rated claim (also each claim page's JSON-LD).
- `annotations`: the claims as a W3C Web Annotation collection, each quote anchored by its text and its offsets.
- `anchoring`: every claim re-anchored on another copy of the op-ed (`kz-timeline anchor`).
"""
