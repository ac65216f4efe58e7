"""What API tests share."""


def if_match(client, url: str) -> dict:
    """The header a careful client sends with a write: the ETag of the record at ``url`` as it reads it now."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {"HTTP_IF_MATCH": response["ETag"]}
