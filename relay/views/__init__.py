"""Page data: for a page and its filters, the plain figures and tables it draws.

A page draws what its view returns and `python -m relay report <view>` prints it, so the
two always agree.
"""
