-- fake-litigation-insurance written by hand: the same rule as
-- models/fake-litigation-insurance.yaml (docs/DEMO-DATA.md §4.2) as one query. Plaintiffs
-- with at least 3 insurance suits (distinct case numbers) through one agent, who within 30
-- days after a judgment of such a suit paid that agent or another such plaintiff of the
-- same agent, in either bank statement layout. Placeholders: see tax-not-transferred.sql.
WITH suits AS (
  SELECT {judgments:案号}_n AS case_no, {judgments:当事人}_n AS plaintiff,
         {judgments:委托诉讼代理人}_n AS agent, {judgments:裁判日期}_n AS judged,
         '{judgments#}:' || _row AS ev
  FROM {judgments}
  WHERE trim({judgments:诉讼地位}) = '原告'
    AND trim({judgments:案由}) IN ('机动车交通事故责任纠纷', '财产保险合同纠纷', '人身保险合同纠纷', '保险纠纷')
    AND {judgments:委托诉讼代理人}_n <> ''
),
pairs AS MATERIALIZED (
  SELECT plaintiff, agent FROM suits
  WHERE plaintiff IS NOT NULL AND case_no IS NOT NULL
  GROUP BY plaintiff, agent HAVING count(DISTINCT case_no) >= 3
),
ring AS MATERIALIZED (
  SELECT s.* FROM suits s JOIN pairs p ON p.plaintiff = s.plaintiff AND p.agent = s.agent
),
paid AS (
  SELECT r.plaintiff, r.agent, r.case_no, r.judged, b.{bank_statements_a:对方户名}_n AS payee,
         b.{bank_statements_a:交易日期}_n AS paid, b.{bank_statements_a:交易金额}_n AS money,
         r.ev || ',{bank_statements_a#}:' || b._row AS ev
  FROM ring r JOIN {bank_statements_a} b ON b.{bank_statements_a:户名}_n = r.plaintiff
  WHERE trim(b.{bank_statements_a:借贷标志}) IN ('借', '付', '支出', '转出')
  UNION ALL
  SELECT r.plaintiff, r.agent, r.case_no, r.judged, b.{bank_statements_b:对手姓名}_n,
         b.{bank_statements_b:交易时间}_n, b.{bank_statements_b:金额}_n,
         r.ev || ',{bank_statements_b#}:' || b._row
  FROM ring r JOIN {bank_statements_b} b ON b.{bank_statements_b:本方姓名}_n = r.plaintiff
  WHERE trim(b.{bank_statements_b:收付标志}) IN ('借', '付', '支出', '转出')
)
SELECT plaintiff AS subject, plaintiff, agent, case_no, judged, payee, paid, money, ev
FROM paid p
WHERE substr(paid, 1, 10) BETWEEN judged AND date(judged, '+30 days')
  AND (payee = agent
       OR (payee <> plaintiff
           AND EXISTS (SELECT 1 FROM pairs q WHERE q.plaintiff = p.payee AND q.agent = p.agent)))
ORDER BY subject;
