"""The demo city's districts, roads and approximate centroids, shared by the generators.

合肥市 (3401) is the demo deployment (``core.regions.DEFAULT_FULL_CITY_CODES``).  Centroids are
approximate public figures (WGS-84, rounded); road names are real roads of each district.  The
boundaries built from them (:mod:`yiwang.bases.geometry`) are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE_NAME = "安徽省"
CITY_CODE = "3401"
CITY_NAME = "合肥市"
CITY_CENTROID = (31.8206, 117.2272)
PROVINCE_CENTROID = (31.8612, 117.2857)


@dataclass(frozen=True)
class District:
    code: str
    name: str
    lat: float
    lng: float
    roads: tuple[str, ...]


DISTRICTS: tuple[District, ...] = (
    District("340102", "瑶海区", 31.8580, 117.3094, ("长江东路", "明光路", "胜利路", "临泉路", "铜陵北路")),
    District("340103", "庐阳区", 31.8786, 117.2649, ("阜阳路", "濉溪路", "长江中路", "寿春路", "蒙城路")),
    District(
        "340104", "蜀山区", 31.8512, 117.2609, ("长江西路", "黄山路", "潜山路", "合作化南路", "望江西路")
    ),
    District(
        "340111", "包河区", 31.7930, 117.3093, ("徽州大道", "马鞍山路", "包河大道", "紫云路", "庐州大道")
    ),
    District("340121", "长丰县", 32.4780, 117.1676, ("阜阳北路", "双凤大道", "水湖路", "蒙城北路")),
    District("340122", "肥东县", 31.8878, 117.4690, ("龙泉路", "包公大道", "锦绣大道", "长江东大街")),
    District("340123", "肥西县", 31.7066, 117.1579, ("金寨南路", "繁华大道", "玉兰大道", "上派路")),
    District("340124", "庐江县", 31.2555, 117.2873, ("庐城路", "文昌路", "军二路", "塔山路")),
    District("340181", "巢湖市", 31.6240, 117.8895, ("健康路", "巢湖中路", "半汤路", "卧牛山路")),
)
DISTRICT_BY_CODE = {district.code: district for district in DISTRICTS}


def district_full_address(district: District, road: str, number: int) -> str:
    return f"{PROVINCE_NAME}{CITY_NAME}{district.name}{road}{number}号"
