-- appraisal-not-followed-up written by hand: the same rule as
-- models/appraisal-not-followed-up.yaml (docs/DEMO-DATA.md §4.3) as one query. Firearm
-- appraisals of home-made guns and price appraisals, 90 days or more ago, with no disposal
-- of the same case 0-90 days after the appraisal. Text keys are compared trimmed, as the
-- compiler compares them. Placeholders: see tax-not-transferred.sql.
WITH disposals AS MATERIALIZED (
  SELECT trim({disposals:案件编号}) AS case_no, {disposals:处置日期}_n AS disposed
  FROM {disposals}
)
SELECT trim(a.{appraisals:鉴定书编号}) AS subject,
       trim(a.{appraisals:鉴定书编号}), trim(a.{appraisals:案件编号}),
       trim(a.{appraisals:鉴定类型}), trim(a.{appraisals:鉴定对象}),
       trim(a.{appraisals:鉴定意见}), a.{appraisals:鉴定日期}_n,
       '{appraisals#}:' || a._row
FROM {appraisals} a
WHERE ((trim(a.{appraisals:鉴定类型}) = '枪支鉴定' AND instr(trim(a.{appraisals:鉴定意见}), '自制') > 0)
       OR trim(a.{appraisals:鉴定类型}) = '价格认定')
  AND julianday('now') - julianday(a.{appraisals:鉴定日期}_n) > 90
  AND NOT EXISTS (
        SELECT 1 FROM disposals d
        WHERE d.case_no = trim(a.{appraisals:案件编号})
          AND julianday(d.disposed) - julianday(a.{appraisals:鉴定日期}_n) BETWEEN 0 AND 90)
  AND trim(a.{appraisals:鉴定书编号}) <> ''
ORDER BY subject;
