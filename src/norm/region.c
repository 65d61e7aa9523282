/*
 * region.c - lookup of 6-digit GB/T 2260 region codes in the bundled table.
 *
 * The table (region_table.c/.h) is generated at build time by scripts/gen-region-table
 * from data/gb2260/regions.tsv: entries sorted by code, names in one string pool. It
 * holds every code the Ministry of Civil Affairs listed from 1980 to 2021, retired
 * codes included, so that ID numbers issued under old codes stay valid. Lookup
 * (sj_region_find in the generated header) is a binary search within the province;
 * nothing is allocated and nothing changes after build, so any thread may call it.
 */
#include "shujian/norm.h"

#include "norm/region_table.h"

const char *sj_region_name(const char *code6)
{
    if (!code6)
        return NULL;
    uint32_t code = 0;
    for (int i = 0; i < 6; i++) {
        if (code6[i] < '0' || code6[i] > '9')
            return NULL;
        code = code * 10 + (uint32_t)(code6[i] - '0');
    }
    if (code6[6] != '\0')
        return NULL;
    long i = sj_region_find(code);
    return i < 0 ? NULL : (const char *)sj_region_pool + sj_region_entries[i].name;
}

#define SJ_STRINGIFY_(x) #x
#define SJ_STRINGIFY(x) SJ_STRINGIFY_(x)

const char *sj_region_table_source(void)
{
    return "GB/T 2260 行政区划代码：民政部（MCA）1980-2021 年发布的县级以上行政区划代码，"
           "经 cn/GB2260 整理（mca/ 1980、1985、1990、1995、2000、2005、2010、2015、2021 "
           "年版），获取于 2026-11-27，共 " SJ_STRINGIFY(SJ_REGION_COUNT) " 个代码（含已撤销代码）";
}
