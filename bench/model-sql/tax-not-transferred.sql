-- tax-not-transferred written by hand: the same rule as models/tax-not-transferred.yaml
-- (docs/DEMO-DATA.md §4.1) as one query. Enforcement cases with a tax cause at or above
-- 10万元 (10,000,000 fen) whose party id has no row in the case system. The result has the
-- compiled query's shape: subject, the lead's evidence columns, the evidence reference.
-- Placeholders, which bench/model.sh fills in from the catalog of the workspace it measures:
-- {NAME} is dataset NAME's table (ds_<N>), {NAME#} its id N (for evidence references), and
-- {NAME:HEADER} the column holding HEADER (c<P>; its normalised value is c<P>_n).
SELECT e.{enforcement_cases:证件号码}_n AS subject,
       trim(e.{enforcement_cases:行政案件编号}), trim(e.{enforcement_cases:执法机关}),
       e.{enforcement_cases:当事人}_n, e.{enforcement_cases:证件号码}_n,
       trim(e.{enforcement_cases:案由}), e.{enforcement_cases:涉案金额}_n,
       e.{enforcement_cases:处罚日期}_n, trim(e.{enforcement_cases:是否移送}),
       '{enforcement_cases#}:' || e._row
FROM {enforcement_cases} e
WHERE trim(e.{enforcement_cases:案由}) IN ('逃税', '虚开增值税专用发票', '虚开发票', '骗取出口退税')
  AND e.{enforcement_cases:涉案金额}_n >= 10000000
  AND e.{enforcement_cases:证件号码}_n <> ''
  AND e.{enforcement_cases:证件号码}_n NOT IN (
        SELECT c.{case_system:证件号码}_n FROM {case_system} c
        WHERE c.{case_system:证件号码}_n IS NOT NULL)
ORDER BY subject;
