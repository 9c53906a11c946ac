from dataclasses import replace

from routing.knowledge import Correction
from routing.model import train
from routing.retrain import retrain, steps
from tests.routing.routing_cities import city_a


def test_retrain_learns_from_corrections_and_compares_with_current():
    kb = city_a()
    texts = [f"第{i}批次冷库的保鲜设备补助申请" for i in range(20)]
    kb = replace(kb, corrections=[Correction(t, "市工信局") for t in texts])
    current = train(city_a())
    progress = Progress()
    result = retrain(kb, current, progress)
    assert result.held_back == 4
    assert progress.done == steps(len(kb.corrections)) == 2 * steps(0)  # the probe and the final model
    assert result.new_top1 >= result.old_top1
    assert result.accepted
    assert result.model.predict("冷库保鲜设备补助申请").candidates[0][0] == "市工信局"


def test_retrain_without_corrections_builds_a_model():
    result = retrain(city_a())
    assert result.accepted and result.held_back == 0


class Progress:
    """What `flask routing train` gives as its progress bar."""
    done = 0

    def update(self, n):
        self.done += n
