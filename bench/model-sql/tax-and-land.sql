-- tax-and-land written by hand: the same rule as models/tax-and-land.yaml (docs/DEMO-DATA.md
-- §4.6) as one query: the credit codes that are leads of both tax-not-transferred and
-- protected-land-still-occupied (the two queries of those files, joined on the subject).
-- Placeholders: see tax-not-transferred.sql.
WITH tax AS (
  SELECT e.{enforcement_cases:证件号码}_n AS subject, e.{enforcement_cases:当事人}_n AS party,
         trim(e.{enforcement_cases:案由}) AS cause, e.{enforcement_cases:涉案金额}_n AS amount,
         '{enforcement_cases#}:' || e._row AS ev
  FROM {enforcement_cases} e
  WHERE trim(e.{enforcement_cases:案由}) IN ('逃税', '虚开增值税专用发票', '虚开发票', '骗取出口退税')
    AND e.{enforcement_cases:涉案金额}_n >= 10000000
    AND e.{enforcement_cases:证件号码}_n <> ''
    AND e.{enforcement_cases:证件号码}_n NOT IN (
          SELECT c.{case_system:证件号码}_n FROM {case_system} c
          WHERE c.{case_system:证件号码}_n IS NOT NULL)
),
running AS MATERIALIZED (
  SELECT {land_inspections:地块编号}_n AS plot, {land_inspections:巡查日期}_n AS inspected,
         '{land_inspections#}:' || _row AS ev
  FROM {land_inspections}
  WHERE trim({land_inspections:现场情况}) = '仍在经营'
),
land AS (
  SELECT p.{land_penalties:统一社会信用代码}_n AS subject, p.{land_penalties:地块编号}_n AS plot,
         r.inspected, '{land_penalties#}:' || p._row || ',' || r.ev AS ev
  FROM {land_penalties} p
  JOIN running r ON r.plot = p.{land_penalties:地块编号}_n
  WHERE trim(p.{land_penalties:违法类型}) IN ('非法占用耕地', '非法占用湿地')
    AND r.inspected > p.{land_penalties:处罚日期}_n
    AND p.{land_penalties:统一社会信用代码}_n <> ''
)
SELECT t.subject, t.party, t.cause, t.amount, l.plot, l.inspected, t.ev || ',' || l.ev
FROM tax t JOIN land l ON l.subject = t.subject
ORDER BY t.subject;
