"""Files joined to an application by staff: stored in the instance folder under a random name,
served only to those who may see grants."""

from io import BytesIO
from pathlib import Path

from sqlalchemy import select

from amicale.api_for_plugins import session
from amicale_grant.models import GrantAttachment


def test_staff_joins_a_file_and_readers_download_it(login_as, factories, app, client):
    grant = factories.grant.grant()
    staff = login_as("staff", locale="en")
    response = staff.post_form(
        f"/grant/{grant.id}/attachments",
        {"attachments": (BytesIO(b"col1;col2\n1;2\n"), "budget.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        found = session().scalar(select(GrantAttachment))
    stored = Path(app.instance_path) / "grant_attachments" / found.stored_as
    assert stored.read_bytes() == b"col1;col2\n1;2\n"
    assert found.stored_as != "budget.csv"
    url = f"/grant/{grant.id}/attachments/{found.id}"
    download = login_as("readonly", locale="en").get(url)
    assert download.status_code == 200
    assert download.data == b"col1;col2\n1;2\n"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(url).status_code in (302, 401)  # anonymous: to the login page
    login_as("staff", locale="en").post_form(f"/grant/{grant.id}/attachments/{found.id}/delete")
    assert not stored.exists()


def test_an_attachment_of_another_grant_is_not_found(login_as, factories, app):
    one, other = factories.grant.grant(), factories.grant.grant()
    staff = login_as("staff", locale="en")
    staff.post_form(
        f"/grant/{one.id}/attachments",
        {"attachments": (BytesIO(b"hello"), "note.txt")},
        content_type="multipart/form-data",
    )
    with app.app_context():
        aid = session().scalar(select(GrantAttachment.id))
    assert staff.get(f"/grant/{other.id}/attachments/{aid}").status_code == 404


def test_an_upload_without_a_file_says_so(login_as, factories):
    grant = factories.grant.grant()
    response = login_as("staff", locale="en").post_form(f"/grant/{grant.id}/attachments", {})
    assert response.status_code == 422
    assert "Choose a file." in response.get_data(as_text=True)


def test_attachments_through_the_api(api_client, factories, count_rows):
    grant = factories.grant.grant()
    staff = api_client("staff")
    empty = staff.client.post(
        f"/api/v1/grants/{grant.id}/attachments",
        data={},
        headers={"Authorization": f"Bearer {staff.token}"},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422
    refused = staff.client.post(
        f"/api/v1/grants/{grant.id}/attachments",
        data={"attachments": (BytesIO(b"MZ..."), "setup.exe")},
        headers={"Authorization": f"Bearer {staff.token}"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and count_rows(GrantAttachment) == 0
    made = staff.client.post(
        f"/api/v1/grants/{grant.id}/attachments",
        data={"attachments": (BytesIO(b"%PDF-1.4 budget"), "budget.pdf")},
        headers={"Authorization": f"Bearer {staff.token}"},
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.get_json()
    (item,) = api_client("readonly").get(f"/api/v1/grants/{grant.id}/attachments").get_json()
    assert item["file_name"] == "budget.pdf"
    reader = api_client("readonly")
    file = reader.client.get(item["url"], headers={"Authorization": f"Bearer {reader.token}"})
    assert file.status_code == 200 and file.data == b"%PDF-1.4 budget"
    assert api_client(None).get(item["url"]).status_code == 401
    assert staff.delete(item["url"]).status_code == 204
    assert count_rows(GrantAttachment) == 0
