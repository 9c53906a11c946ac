from types import SimpleNamespace as NS

from routing.knowledge import from_parsed


def parsed_table():
    units = [
        NS(name="市发展改革委", aliases=("市发改委", "发改委"), kind="department", routable=True),
        NS(name="市税务局", aliases=(), kind="department", routable=True),
        NS(name="金昌海关", aliases=(), kind="stationed", routable=True),
        NS(name="冶金学院", aliases=(), kind="other", routable=False),
        NS(name="各县区", aliases=(), kind="placeholder", routable=False),
    ]
    matters = [
        NS(section="一、", task="优化通关", measure="压缩进出口通关时间。", upper_measure="",
           lead_units=("金昌海关",), assisting_units=("市税务局", "冶金学院")),
        NS(section="二、", task="", measure="", upper_measure="落实税收优惠。",
           lead_units=("市税务局", "市发展改革委"), assisting_units=()),
        NS(section="三、", task="宣传", measure="做好宣传。", upper_measure="",
           lead_units=("各县区",), assisting_units=()),
    ]
    return NS(units=units, matters=matters)


def test_from_parsed_keeps_leads_in_order_and_drops_non_routable_units():
    kb = from_parsed("金昌", parsed_table())
    assert kb.city == "金昌"
    assert kb.routable_units() == ["市发展改革委", "市税务局", "金昌海关"]
    assert len(kb.matters) == 2  # a matter led only by a placeholder is no training data
    customs, tax = kb.matters
    assert customs.leads == ("金昌海关",) and customs.assisting == ("市税务局",)
    assert "压缩进出口通关时间" in customs.text
    assert tax.leads == ("市税务局", "市发展改革委") and "落实税收优惠" in tax.text


def test_canonical_names_cover_aliases_and_the_form_without_city_prefix():
    c = from_parsed("金昌", parsed_table()).canonical()
    assert c["市发改委"] == c["发改委"] == c["发展改革委"] == "市发展改革委"
