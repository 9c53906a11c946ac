"""Router fixtures: two small synthetic cities, trained once per session."""
import pytest

from routing.model import train
from tests.routing.routing_cities import city_a, city_b


@pytest.fixture(scope="session")
def model_a():
    return train(city_a())


@pytest.fixture(scope="session")
def model_b():
    return train(city_b())


@pytest.fixture(scope="session")
def model_a_table():
    """City A without the starter corpus: the table, catalogue and vocabulary only."""
    return train(city_a(), starter=False)
