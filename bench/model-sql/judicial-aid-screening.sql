-- judicial-aid-screening written by hand: the same rule as
-- models/judicial-aid-screening.yaml (docs/DEMO-DATA.md §4.4) as one query. Victims not
-- compensated (未赔偿) and in hardship (是) who were minors on the day of the crime (birth
-- date from the ID number, compared as a YYYY-MM-DD string with the 18th birthday), or
-- disabled, or female (17th digit even). Placeholders: see tax-not-transferred.sql.
SELECT v.{victims:身份证号}_n AS subject,
       v.{victims:案号}_n, v.{victims:姓名}_n, v.{victims:身份证号}_n,
       trim(v.{victims:残疾类别}), trim(v.{victims:赔偿情况}),
       trim(v.{victims:家庭经济困难}), v.{victims:案发日期}_n,
       '{victims#}:' || v._row
FROM {victims} v
WHERE trim(v.{victims:赔偿情况}) = '未赔偿'
  AND trim(v.{victims:家庭经济困难}) = '是'
  AND v.{victims:身份证号}_n <> ''
  AND (trim(v.{victims:残疾类别}) <> ''
       OR (length(v.{victims:身份证号}_n) = 18
           AND (v.{victims:案发日期}_n <
                  printf('%04d', CAST(substr(v.{victims:身份证号}_n, 7, 4) AS INTEGER) + 18)
                  || '-' || substr(v.{victims:身份证号}_n, 11, 2)
                  || '-' || substr(v.{victims:身份证号}_n, 13, 2)
                OR substr(v.{victims:身份证号}_n, 17, 1) IN ('0', '2', '4', '6', '8'))))
ORDER BY subject;
