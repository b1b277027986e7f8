// The report's inline stylesheet (no external fonts: system font stacks only).

enum HTMLStyle {
    static let css = """
    :root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #ffffff; --page: #f6f8fa; --accent: #0072b2; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--page); color: var(--ink);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    main, .doc-head, .provenance, .toc { max-width: 980px; margin: 0 auto; padding: 0 16px; }
    .doc-head h1 { margin: 24px 0 4px; font-size: 26px; }
    .meta { color: var(--muted); margin: 0 0 12px; }
    code, pre, .key { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
    .toc ol { margin: 0 0 16px; padding-left: 22px; columns: 2; color: var(--muted); }
    .toc a { color: var(--accent); text-decoration: none; }
    .cell { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 16px 0; padding: 12px 16px; }
    .cell-head { display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; border-bottom: 1px solid var(--line);
      padding-bottom: 8px; margin-bottom: 8px; }
    .cell-index { color: var(--muted); font-family: ui-monospace, monospace; }
    .step { font-weight: 600; font-size: 17px; }
    .kind { color: var(--muted); }
    .status { border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; }
    .status.cached { background: #ddf4ff; color: #0969da; }
    .status.fresh { background: #dafbe1; color: #1a7f37; }
    .duration { color: var(--muted); margin-left: auto; }
    details.params summary { cursor: pointer; color: var(--muted); }
    table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
    caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
    th, td { border: 1px solid var(--line); padding: 3px 8px; vertical-align: top; }
    th { background: var(--page); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.center, th.center { text-align: center; }
    .kv th { text-align: left; font-weight: 500; color: var(--muted); }
    .block { margin: 10px 0; overflow-x: auto; }
    .block h4 { margin: 6px 0; font-size: 14px; }
    svg.chart { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
    svg .chart-title { font-size: 14px; font-weight: 600; fill: var(--ink); }
    svg .grid { stroke: #e6eaef; stroke-width: 1; }
    svg .axis { stroke: #59636e; stroke-width: 1; }
    svg .tick, svg .value, svg .bar-label, svg .legend-text { font-size: 11px; fill: var(--ink); }
    svg .axis-label { font-size: 12px; fill: var(--muted); }
    svg .series-line, svg .legend-line { stroke-width: 2; }
    svg .ci { stroke-width: 1.2; }
    svg .note { font-size: 11px; fill: #9a6700; }
    pre.trace { white-space: pre-wrap; word-break: break-word; background: var(--page); border: 1px solid var(--line);
      border-radius: 6px; padding: 8px 10px; max-height: 420px; overflow-y: auto; }
    .seg-prompt { color: var(--muted); }
    mark { border-radius: 3px; padding: 0 2px; font-weight: 600; }
    mark.seg-forced-answer { background: #ffd8b5; }
    mark.seg-wait { background: #fff1a8; }
    mark.seg-end-of-thinking { background: #d8e8ff; }
    .legend-line-text { color: var(--muted); font-size: 13px; }
    .provenance { color: var(--muted); padding-bottom: 32px; }
    .provenance h2 { font-size: 18px; color: var(--ink); }
    """
}
