"""Text files as Korean offices send them."""
from __future__ import annotations


def decode_korean(data: bytes) -> str:
    """The text of a file saved as UTF-8 (with or without the BOM Excel writes) or by Korean
    Excel and the banks' systems as CP949 (which contains EUC-KR). Raises ValueError when it is
    neither. UTF-8 is tried first: CP949 would read most UTF-8 Hangul as other characters."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError:
        raise ValueError("the file is neither UTF-8 nor CP949 (EUC-KR) text") from None
