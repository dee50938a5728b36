"""What search engines read: schema.org structured data for threads and the FAQ (`structured_data`), the
sitemaps' pages of links (`sitemaps`) and robots.txt (`robots`). Plain functions of models and a site base URL;
the pages and routes that serve them are in forum/views/seo.py."""
