"""The guide's JSON API through the real app: search, one entry, and its refusals."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp.test_utils import TestClient

from callers.openapi_guide import MAX_QUERY as DOCUMENTED_MAX
from displays.guide_search import MAX_QUERY

HALL = "south-axis"


async def test_a_search_answers_the_query_and_ranked_results(client: TestClient) -> None:
    response = await client.get(f"/api/halls/{HALL}/guide?q={quote('老年证')}")
    assert response.status == 200
    body = await response.json()
    assert body["query"] == "老年证"
    assert body["results"][0] == {
        "service": "senior-card", "name_zh": "老年优待证", "name_en": "Senior citizen card",
        "zone": "life", "score": 60,
    }  # fmt: skip


async def test_no_query_lists_every_service(client: TestClient) -> None:
    body = await (await client.get(f"/api/halls/{HALL}/guide")).json()
    assert len(body["results"]) == 32 and body["query"] == ""


async def test_an_entry_carries_its_windows_and_checklist(client: TestClient) -> None:
    response = await client.get(f"/api/halls/{HALL}/guide/senior-card")
    assert response.status == 200
    entry = await response.json()
    assert entry["windows"] == [11, 12]
    assert entry["required"][0] == {"zh": "身份证", "en": "ID card"}
    assert entry["days"] == 0 and entry["fee_yuan"] == 0 and len(entry["faq"]) == 3


async def test_unknown_hall_and_service_are_404_with_the_error_body(client: TestClient) -> None:
    for path, code in [
        ("/api/halls/nowhere/guide?q=sb", "unknown_hall"),
        ("/api/halls/nowhere/guide/senior-card", "unknown_hall"),
        (f"/api/halls/{HALL}/guide/time-travel", "unknown_service"),
    ]:
        response = await client.get(path)
        assert response.status == 404, path
        error = (await response.json())["error"]
        assert error["code"] == code and error["message_zh"] and error["message_en"]


async def test_a_query_longer_than_fifty_characters_is_a_400(client: TestClient) -> None:
    assert MAX_QUERY == DOCUMENTED_MAX == 50
    fine = await client.get(f"/api/halls/{HALL}/guide?q={quote('证' * 50)}")
    assert fine.status == 200
    response = await client.get(f"/api/halls/{HALL}/guide?q={quote('证' * 51)}")
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "malformed_command"
