-- appraisal-not-followed-up written by hand: the same rule as
-- models/appraisal-not-followed-up.yaml (docs/DEMO-DATA.md §4.3) as one query. Firearm
-- appraisals of home-made guns and price appraisals, 90 days or more ago, with no disposal
-- of the same case 0-90 days after the appraisal. Text keys are compared trimmed, as the
-- compiler compares them. Placeholders: see tax-not-transferred.sql.
WITH disposals AS MATERIALIZED (
  SELECT {disposals:案件编号}_n AS case_no, {disposals:处置日期}_n AS disposed
  FROM {disposals}
)
SELECT a.{appraisals:鉴定书编号}_n AS subject,
       a.{appraisals:鉴定书编号}_n, a.{appraisals:案件编号}_n,
       trim(a.{appraisals:鉴定类型}), trim(a.{appraisals:鉴定对象}),
       trim(a.{appraisals:鉴定意见}), a.{appraisals:鉴定日期}_n,
       '{appraisals#}:' || a._row
FROM {appraisals} a
WHERE ((trim(a.{appraisals:鉴定类型}) = '枪支鉴定' AND instr(trim(a.{appraisals:鉴定意见}), '自制') > 0)
       OR trim(a.{appraisals:鉴定类型}) = '价格认定')
  AND julianday('now') - julianday(a.{appraisals:鉴定日期}_n) > 90
  AND NOT EXISTS (
        SELECT 1 FROM disposals d
        WHERE d.case_no = a.{appraisals:案件编号}_n
          AND julianday(d.disposed) - julianday(a.{appraisals:鉴定日期}_n) BETWEEN 0 AND 90)
  AND a.{appraisals:鉴定书编号}_n <> ''
ORDER BY subject;
