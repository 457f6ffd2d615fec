from associations.models import Association
from tests.associations.factories import AssociationFactory


def test_county_officer_sees_association_in_list(county_client, zhunan):
    AssociationFactory(township=zhunan, name="竹南社區發展協會")
    response = county_client.get("/associations/")
    assert response.status_code == 200
    assert "竹南社區發展協會" in response.content.decode()


def test_toufen_clerk_gets_404_for_zhunan_association(toufen_client, zhunan):
    association = AssociationFactory(township=zhunan)
    assert toufen_client.get(f"/associations/{association.pk}/").status_code == 404
    assert Association.objects.count() == 1
