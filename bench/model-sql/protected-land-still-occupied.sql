-- protected-land-still-occupied written by hand: the same rule as
-- models/protected-land-still-occupied.yaml (docs/DEMO-DATA.md §4.5) as one query.
-- Penalties for occupying farmland or wetland whose plot was inspected strictly after the
-- penalty and found still in business (仍在经营). Plots are code columns, compared
-- in their normalised form (full-width folded, spaces removed), as the compiler does. Placeholders: see tax-not-transferred.sql.
WITH running AS MATERIALIZED (
  SELECT {land_inspections:地块编号}_n AS plot, {land_inspections:巡查日期}_n AS inspected,
         trim({land_inspections:现场情况}) AS status, '{land_inspections#}:' || _row AS ev
  FROM {land_inspections}
  WHERE trim({land_inspections:现场情况}) = '仍在经营'
)
SELECT p.{land_penalties:统一社会信用代码}_n AS subject,
       p.{land_penalties:处罚决定书号}_n, p.{land_penalties:当事人}_n,
       p.{land_penalties:统一社会信用代码}_n, trim(p.{land_penalties:违法类型}),
       p.{land_penalties:地块编号}_n, p.{land_penalties:处罚日期}_n,
       r.inspected, r.status,
       '{land_penalties#}:' || p._row || ',' || r.ev
FROM {land_penalties} p
JOIN running r ON r.plot = p.{land_penalties:地块编号}_n
WHERE trim(p.{land_penalties:违法类型}) IN ('非法占用耕地', '非法占用湿地')
  AND r.inspected > p.{land_penalties:处罚日期}_n
  AND p.{land_penalties:统一社会信用代码}_n <> ''
ORDER BY subject;
