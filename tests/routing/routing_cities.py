"""Two small synthetic cities for router tests."""
from routing.knowledge import Correction, KnowledgeBase, Matter, Unit


def city_a() -> KnowledgeBase:
    units = [Unit(n) for n in ("市税务局", "市人社局", "市市场监管局", "市工信局", "市纪委监委",
                               "市政府金融办", "市中级人民法院", "市住建局")]
    units.append(Unit("各县区", kind="placeholder", routable=False))
    matters = [
        Matter("落实减税降费政策，优化纳税服务，加快出口退税和留抵退税办理。", ("市税务局",)),
        Matter("根治欠薪，保障农民工工资支付，开展劳动保障监察执法。", ("市人社局",), ("市住建局",)),
        Matter("优化企业开办和变更登记，推进营业执照电子化，规范涉企收费。", ("市市场监管局",)),
        Matter("清理拖欠中小企业账款，推动机关事业单位及时支付款项。", ("市工信局",)),
        Matter("严肃查处损害营商环境的干部作风问题和吃拿卡要行为。", ("市纪委监委",)),
        Matter("强化银企对接，缓解融资难融资贵，推动续贷和转贷服务。", ("市政府金融办",)),
        Matter("依法审理涉企案件，规范查封扣押冻结措施，推进破产重整。", ("市中级人民法院",)),
    ]
    return KnowledgeBase("甲市", units, matters)


def city_b() -> KnowledgeBase:
    units = [Unit(n) for n in ("乙市税务分局", "乙市人力资源和社会保障局", "乙市发展改革委")]
    matters = [
        Matter("落实税收优惠政策，提升纳税服务水平。", ("乙市税务分局",)),
        Matter("做好稳就业和社会保险服务，治理拖欠工资。", ("乙市人力资源和社会保障局",)),
        Matter("推进重大项目建设，做好投资项目审批服务。", ("乙市发展改革委",)),
    ]
    return KnowledgeBase("乙市", units, matters, [Correction("项目立项备案一直办不下来", "乙市发展改革委")])
