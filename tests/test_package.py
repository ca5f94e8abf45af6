import imdbfast


def test_version_matches_native_module():
    from imdbfast import _native

    assert imdbfast.__version__ == _native.__version__
    assert imdbfast.__version__.count(".") == 2


def test_unknown_attribute_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        imdbfast.nope  # noqa: B018
