"""The Swedish text toolkit shared by every layer.

Lines, sentences, headings, page markers, dates, bullets and the reply-element vocabulary.
"""
