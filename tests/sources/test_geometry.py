"""Boundary readers: TopoJSON decoding, GeoPackage layouts, CRS handling, Amsterdam code table."""

from __future__ import annotations

import collections

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Polygon, box

from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources.geometry import (
    read_amsterdam_code_crosswalk,
    read_boundaries,
    sniff_amsterdam_code_crosswalk,
    sniff_boundaries,
)

AMS_GPKG = "amsterdam_buurten_2016_2021_cbscodes_wof_amsgis_rd.gpkg"
AMS_CODES = "amsterdam_buurten_2015_2022_codes_geom_tommasozf.csv.gz"
TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def _rd_area(lonlat):
    """Area in RD of a lon/lat polygon, projecting its vertices (as GIS reprojection does)."""
    x, y = TO_RD.transform(*zip(*lonlat, strict=True))
    return Polygon(zip(x, y, strict=True)).area


def _rect(lon0, lat0, lon1, lat1):
    return [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1)]


# --- TopoJSON -------------------------------------------------------------------------------


@pytest.fixture
def squares(test_data):
    return read_boundaries(test_data / "geo" / "squares_2020_layer.topojson")


def test_topojson_decodes_quantised_delta_arcs(squares):
    assert squares.crs.to_epsg() == 28992
    assert list(squares.columns) == ["code", "name", "level", "year", "source", "row", "geometry"]
    by_code = squares.set_index("code")
    # arcs are delta-encoded on a 0.001° grid from (5, 52): BU00010001 is the square
    # 5.00-5.01 x 52.00-52.01 whose east side bulges out to (5.012, 52.005)
    expected = _rd_area([(5.0, 52.0), (5.01, 52.0), (5.012, 52.005), (5.01, 52.01), (5.0, 52.01)])
    assert by_code.geometry["BU00010001"].area == pytest.approx(expected, rel=1e-6)
    assert by_code.loc["BU00010001", "name"] == "Links"
    assert (squares.year == 2020).all() and (squares.level == "buurt").all()


def test_topojson_reversed_arc_shared_edge(squares):
    left, right = (squares.set_index("code").geometry[c] for c in ("BU00010001", "BU00010002"))
    # BU00010002 uses arc ~0 (arc 0 reversed): it must share exactly that edge with its neighbour
    # and lose the bulge that BU00010001 gains
    shape = [(5.01, 52.0), (5.02, 52.0), (5.02, 52.01), (5.01, 52.01), (5.012, 52.005)]
    assert right.area == pytest.approx(_rd_area(shape), rel=1e-6)
    assert left.intersection(right).area == pytest.approx(0.0, abs=1e-6)
    assert left.touches(right) and left.intersection(right).length > 600


def test_topojson_multipolygon_and_hole(squares):
    by_code = squares.set_index("code").geometry
    multi = by_code["BU00010004"]
    assert multi.geom_type == "MultiPolygon" and len(multi.geoms) == 2
    holed = by_code["BU00010005"]
    outer = _rd_area(_rect(5.06, 52.0, 5.08, 52.02))
    inner = _rd_area(_rect(5.065, 52.005, 5.07, 52.01))
    assert len(holed.interiors) == 1
    assert holed.area == pytest.approx(outer - inner, rel=1e-6)


def test_topojson_degenerate_and_null_rejected(squares):
    rejected = {r["code"]: r for r in squares.attrs["rejected"]}
    assert set(rejected) == {"BU00010003", "BU00010006"}
    assert rejected["BU00010003"]["row"] == 3
    assert "quantisation" in rejected["BU00010003"]["reason"]


def test_topojson_missing_object(test_data):
    with pytest.raises(
        SourceFormatError, match="TopoJSON-object 'buurten' niet gevonden; objecten: layer"
    ):
        read_boundaries(test_data / "geo" / "squares_2020_layer.topojson", layer="buurten")


def test_topojson_bad_arc_index(tmp_path):
    path = tmp_path / "bad_2020.json"
    path.write_text(
        '{"type":"Topology","objects":{"layer":{"type":"GeometryCollection","geometries":'
        '[{"type":"Polygon","arcs":[[5]],"properties":{"statcode":"GM0001"}}]}},'
        '"arcs":[[[5.0,52.0],[5.1,52.0],[5.1,52.1],[5.0,52.0]]]}'
    )
    with pytest.raises(SourceFormatError) as err:
        read_boundaries(path)
    assert err.value.row == 1


# --- GeoPackage -----------------------------------------------------------------------------


def _gpkg(path, gdf, layer="buurten_2016"):
    gdf.to_file(path, layer=layer, driver="GPKG")
    return path


def _wof_like():
    bowtie = Polygon(
        [(100_000, 400_000), (100_100, 400_100), (100_100, 400_000), (100_000, 400_100)]
    )
    return gpd.GeoDataFrame(
        {
            "BU_CODE": ["BU00030000", "BU00030001", "BU00030001", "BU00030002", "BU00030003"],
            "BU_NAAM": ["Centrum ", "West", "West (oud)", "Meer", "Strik"],
            "WATER": ["NEE", "NEE", "NEE", "JA", "NEE"],
            "dup_rank": [0, 0, 1, 0, 0],
        },
        geometry=[
            box(100_000, 400_000, 101_000, 401_000),
            box(101_000, 400_000, 102_000, 401_000),
            box(101_000, 400_000, 102_000, 401_000),
            box(102_000, 400_000, 103_000, 401_000),
            bowtie,
        ],
        crs="EPSG:28992",
    )


def test_gpkg_wof_layout(tmp_path):
    path = _gpkg(tmp_path / "buurt_2016_test.gpkg", _wof_like())
    assert sniff_boundaries(path)
    gdf = read_boundaries(path)
    assert list(gdf.code) == ["BU00030000", "BU00030001", "BU00030003"]
    assert gdf.code.is_unique and (gdf.year == 2016).all()
    assert gdf.name.iloc[0] == "Centrum"
    reasons = {r["row"]: r["reason"] for r in gdf.attrs["rejected"]}
    assert set(reasons) == {3, 4}
    assert "dup_rank" in reasons[3] and "water" in reasons[4]
    strik = gdf.set_index("code").geometry["BU00030003"]
    assert strik.is_valid and strik.area == pytest.approx(5_000.0)  # bow-tie: two triangles


def test_gpkg_cbs_wijkenbuurten_layers(tmp_path):
    path = tmp_path / "wijkenbuurten_2022_v1.gpkg"
    sq = box(150_000, 450_000, 151_000, 451_000)
    layers = {
        "gemeenten": {"gemeentecode": ["GM0344"], "gemeentenaam": ["Utrecht"], "water": ["NEE"]},
        "wijken": {"wijkcode": ["WK034400"], "wijknaam": ["Binnenstad"], "gemeentecode": ["GM0344"],
                   "water": ["NEE"]},
        "buurten": {"buurtcode": ["BU03440000", "BU03440099"], "buurtnaam": ["Dom", "Vaart"],
                    "wijkcode": ["WK034400"] * 2, "water": ["NEE", "JA"]},
    }  # fmt: skip
    for name, cols in layers.items():
        n = len(next(iter(cols.values())))
        gpd.GeoDataFrame(cols, geometry=[sq] * n, crs="EPSG:28992").to_file(
            path, layer=name, driver="GPKG"
        )
    gdf = read_boundaries(path)
    assert dict(zip(gdf.code, gdf.level, strict=True)) == {
        "GM0344": "gemeente", "WK034400": "wijk", "BU03440000": "buurt",
    }  # fmt: skip
    assert gdf.set_index("code").name["WK034400"] == "Binnenstad"
    assert [r["code"] for r in gdf.attrs["rejected"]] == ["BU03440099"]
    only = read_boundaries(path, layer="wijken")
    assert list(only.code) == ["WK034400"] and (only.year == 2022).all()


def test_gpkg_wgs84_is_reprojected(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"GM_CODE": ["GM0001"], "GM_NAAM": ["X"]}, geometry=[box(5.0, 52.0, 5.01, 52.01)], crs=4326
    )
    out = read_boundaries(_gpkg(tmp_path / "gm_2019.gpkg", gdf, "gemeenten"))
    assert out.crs.to_epsg() == 28992
    assert out.area.iloc[0] == pytest.approx(_rd_area(_rect(5.0, 52.0, 5.01, 52.01)), rel=1e-6)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_rd_range_assumed_else_error(tmp_path):
    rd = gpd.GeoDataFrame(
        {"GM_CODE": ["GM0001"]}, geometry=[box(150_000, 450_000, 151_000, 451_000)]
    )
    out = read_boundaries(_gpkg(tmp_path / "rd_2019.gpkg", rd, "g"))
    assert out.crs.to_epsg() == 28992 and "assumed EPSG:28992" in out.attrs["notes"][0]
    far = gpd.GeoDataFrame({"GM_CODE": ["GM0001"]}, geometry=[box(-2e6, 6e6, -1e6, 7e6)])
    with pytest.raises(SourceFormatError, match="laag 'g' heeft geen coördinatenstelsel"):
        read_boundaries(_gpkg(tmp_path / "far_2019.gpkg", far, "g"))


def test_wrong_crs_is_an_error(tmp_path):
    # RD metres labelled as WGS84 degrees cannot be reprojected; coordinates leave the Netherlands
    bad = gpd.GeoDataFrame(
        {"GM_CODE": ["GM0001"]}, geometry=[box(150_000, 450_000, 151_000, 451_000)], crs=3857
    )
    with pytest.raises(
        SourceFormatError,
        match="laag 'g': .* gelezen worden als EPSG:3857 \\(verkeerd coördinatenstelsel",
    ):
        read_boundaries(_gpkg(tmp_path / "wrong_2019.gpkg", bad, "g"))


def test_year_argument_range_and_missing(tmp_path):
    gdf = _wof_like().iloc[:1]
    ranged = read_boundaries(_gpkg(tmp_path / "ams_2016_2021.gpkg", gdf))
    assert (ranged.year == 2016).all() and ranged.attrs["years"] == (2016, 2021)
    assert (read_boundaries(tmp_path / "ams_2016_2021.gpkg", year=2019).year == 2019).all()
    with pytest.raises(SourceFormatError, match="staat niet in de bestandsnaam; geef year= mee"):
        read_boundaries(_gpkg(tmp_path / "buurten.gpkg", gdf))


def test_layout_errors(tmp_path):
    nocode = gpd.GeoDataFrame({"naam": ["x"]}, geometry=[box(0, 300_000, 1, 300_001)], crs=28992)
    with pytest.raises(SourceFormatError, match="gevonden lagen en kolommen: vlakken: naam"):
        read_boundaries(_gpkg(tmp_path / "v_2020.gpkg", nocode, "vlakken"))
    badcode = _wof_like().iloc[:1].assign(BU_CODE="BU123")
    with pytest.raises(RegionCodeError) as err:
        read_boundaries(_gpkg(tmp_path / "b_2020.gpkg", badcode))
    assert err.value.row == 1 and err.value.code == "BU123"
    twice = _wof_like().iloc[[0, 0]]
    with pytest.raises(SourceFormatError, match=r"rijen 1 en 2"):
        read_boundaries(_gpkg(tmp_path / "t_2020.gpkg", twice))


# --- Amsterdam code table -------------------------------------------------------------------


def test_amsterdam_crosswalk_fixture(tmp_path):
    path = tmp_path / "ams_codes.csv"
    path.write_text(
        "BUURTCODE_2015,BUURTCODE_CBS_2015,BUURTNAAM_2015,BUURTCODE_2022,BUURTCODE_CBS_2022,"
        "BUURTNAAM_2022,geometrie\n"
        "A00a,BU03630000,Kop Zeedijk,AE01,BU0363AE01,Kop Zeedijk,"
        '"SRID=28992;POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"\n'
    )
    assert sniff_amsterdam_code_crosswalk(path) and not sniff_boundaries(path)
    cw = read_amsterdam_code_crosswalk(path)
    assert list(cw.columns[:5]) == ["code_from", "year_from", "code_to", "year_to", "level"]
    assert list(cw.year_from) == [2016, 2017, 2018, 2019, 2020, 2021]
    assert set(cw.code_to) == {"BU0363AE01"} and set(cw.year_to) == {2022}
    geo = read_amsterdam_code_crosswalk(path, geometry=True)
    assert geo.crs.to_epsg() == 28992 and geo.area.iloc[0] == 100


# --- real data ------------------------------------------------------------------------------


def test_real_wof_gpkg(shared_data):
    gdf = read_boundaries(shared_data / "geo" / "buurt_2016_wof_cbsnl_rd_simpl5m.gpkg")
    reasons = collections.Counter(r["reason"] for r in gdf.attrs["rejected"])
    # 40 dup_rank 1 rows; and 11 buurten that WOF stores as a point only (no polygon)
    assert reasons == {
        "duplicate row of this code (dup_rank > 0)": 40,
        "not a polygon (Point)": 11,
    }
    assert len(gdf) == 11_640 and gdf.code.is_unique
    points = {r["code"] for r in gdf.attrs["rejected"] if "Point" in r["reason"]}
    assert len(set(gdf.code) | points) == 11_651
    assert "BU00740104" in points
    assert not gdf.code.str.startswith("BU0363").any()  # Amsterdam is absent from WOF's CBS set
    assert gdf.is_valid.all() and (gdf.year == 2016).all()


def test_real_topojson_buurt_2014(shared_data):
    gdf = read_boundaries(shared_data / "geo" / "Buurt_2014_layer_q1e3.json")
    ams_kept = gdf.code.str.startswith("BU0363").sum()
    ams_rejected = [r for r in gdf.attrs["rejected"] if r["code"].startswith("BU0363")]
    assert ams_kept + len(ams_rejected) == 93
    assert ams_kept == 92  # BU03630426 collapses at the 1e3 quantisation
    assert len(gdf) + len(gdf.attrs["rejected"]) == 11_691
    assert gdf.crs.to_epsg() == 28992 and (gdf.year == 2014).all()


def test_real_amsterdam_gpkg(shared_data):
    path = shared_data / "geo" / "amsterdam" / AMS_GPKG
    gdf = read_boundaries(path)
    assert len(gdf) == 481 and gdf.attrs["years"] == (2016, 2021)
    assert gdf.set_index("code").name["BU03630000"] == "Kop Zeedijk"
    assert gdf.area.sum() / 1e6 == pytest.approx(219.49, abs=0.01)


def test_real_amsterdam_code_table(shared_data):
    path = shared_data / "geo" / "amsterdam" / AMS_CODES
    cw = read_amsterdam_code_crosswalk(path)
    assert len(cw) == 439 * 6
    row = cw[(cw.code_from == "BU03630001") & (cw.year_from == 2021)]
    assert row.code_to.tolist() == ["BU0363AE02"]


def test_geojson_and_shapefile(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"WK_CODE": ["WK034400"], "WK_NAAM": ["Binnenstad"]},
        geometry=[box(5.11, 52.08, 5.13, 52.10)],
        crs=4326,
    )
    gj = tmp_path / "wijk_2021.geojson"
    gdf.to_file(gj, driver="GeoJSON")
    shp = tmp_path / "wijk_2021.shp"
    gdf.to_crs(28992).to_file(shp)
    for path in (gj, shp):
        assert sniff_boundaries(path)
        out = read_boundaries(path)
        assert out.code.tolist() == ["WK034400"] and out.level.tolist() == ["wijk"]
        assert out.name.tolist() == ["Binnenstad"] and out.crs.to_epsg() == 28992
    other = tmp_path / "records.json"
    other.write_text('{"value": [{"Features": 1}]}')
    assert not sniff_boundaries(other)
