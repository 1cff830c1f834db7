from crawler.text.urls import canonical_url, unwrap_proxy


def test_qutoutiao_per_request_query_is_dropped():
    a = canonical_url("http://html2.qktoutiao.com/detail/2018/07/05/109799816.html"
                      "?content_id=109799816&key=abc&pv_id=%7B1%7D&cid=29")
    b = canonical_url("https://html2.qktoutiao.com/detail/2018/07/05/109799816.html?key=zzz&fr=17")
    assert a == b == "https://html2.qktoutiao.com/detail/2018/07/05/109799816.html"


def test_proxy_prefix_is_unwrapped():
    wrapped = "https://cors.example.dev/?http://static.1sapp.com/qupost/img/2021/10/18/62ac.jpeg"
    assert unwrap_proxy(wrapped) == "http://static.1sapp.com/qupost/img/2021/10/18/62ac.jpeg"
    assert canonical_url("https://cors.example.dev/?http://hb.ifeng.com/c/8lE1OVQRmEX") == (
        "https://hb.ifeng.com/c/8lE1OVQRmEX")


def test_percent_encoded_proxy_target():
    assert unwrap_proxy("https://p.example/?https%3A%2F%2Fhb.ifeng.com%2Fc%2Fx") == "https://hb.ifeng.com/c/x"


def test_host_case_fragment_and_scheme():
    assert canonical_url("//HB.ifeng.com/c/8lE1OVQRmEX#comments") == "https://hb.ifeng.com/c/8lE1OVQRmEX"


def test_tracking_parameters_dropped_meaningful_kept_and_sorted():
    assert canonical_url("http://example.com/a?utm_source=x&b=2&a=1&spm=3") == "https://example.com/a?a=1&b=2"
