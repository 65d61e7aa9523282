#!/usr/bin/python3
# Writes people.xls, the legacy-Excel fixture of tests/unit/test_ingest_xlsx.c, with Debian's
# python3-xlwt (BIFF8). Synthetic data only. Run: /usr/bin/python3 make_people_xls.py
import datetime
import os

import xlwt

book = xlwt.Workbook(encoding="utf-8")
date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
stamp = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
time = xlwt.easyxf(num_format_str="hh:mm:ss")

people = book.add_sheet("人员信息")
people.write_merge(0, 0, 0, 3, "XX市公安局鉴定意见汇总表")
for col, name in enumerate(["姓名", "电话", "出生日期", "金额"]):
    people.write(1, col, name)
people.write(2, 0, "张三")
people.write(2, 1, 13800138000)
people.write(2, 2, datetime.date(1990, 3, 7), date)
people.write(2, 3, 0.1 + 0.2)
people.write(4, 0, "李四")  # row 4 (index 3) left empty, and the phone cell too
people.write(4, 2, datetime.datetime(2024, 1, 2, 13, 45, 30), stamp)
people.write(4, 3, -12.5)
people.write(5, 0, "王五")
people.write(5, 1, 42)
people.write(5, 3, 123456789012345678)

trades = book.add_sheet("交易流水")
trades.write(0, 0, "交易时间")
trades.write(1, 0, datetime.time(18, 0, 0), time)
book.add_sheet("空表")

book.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "people.xls"))
