"""robots.txt patterns: Flask rules as robots.txt patterns, and matching as Google reads them."""
from forum.services.seo.robots import matches, robots_txt, rule_patterns


def test_rule_variables_become_wildcards_and_any_expands():
    assert rule_patterns("/posts/<int:post_id>/vote") == ["/posts/*/vote$"]
    assert rule_patterns("/faq/<int:entry_id>/<any(publish, unpublish):action>") == [
        "/faq/*/publish$", "/faq/*/unpublish$"]
    assert rule_patterns("/feedback/<target_type>/<int:target_id>") == ["/feedback/*/*$"]
    assert rule_patterns("/logout") == ["/logout$"]


def test_matching_is_a_prefix_with_wildcards_and_end_anchors():
    assert matches("/search", "/search?q=x") and matches("/search", "/search/similar")
    assert not matches("/search", "/questions/1/search")
    assert matches("/questions/*/lock$", "/questions/12/lock")
    assert not matches("/questions/*/lock$", "/questions/12/lock-screen-freezes")
    assert matches("/answers/*/", "/answers/7/edit") and not matches("/answers/*/", "/answers/7")
    assert matches("/a.b", "/a.b") and not matches("/a.b", "/axb")  # only * and $ are special


def test_post_only_routes_under_a_listed_prefix_are_not_repeated():
    text = robots_txt(["/posts/<int:post_id>/vote", "/users/<int:user_id>/suspend"], "https://x.example/sitemap.xml")
    assert "Disallow: /posts/*/vote$" not in text and "Disallow: /posts/" in text
    assert "Disallow: /users/*/suspend$" in text
    assert text.endswith("\nSitemap: https://x.example/sitemap.xml\n")
