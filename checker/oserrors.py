"""What the operating system said about a file or folder, in the reader's language.

``OSError.strerror`` is the C library's English ("No such file or directory"); a message
that quotes it puts English inside a Vietnamese line. Every message about a file that
cannot be read or written gives its reason through :func:`os_reason`.

    os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory"))
    # "không có tệp hoặc thư mục này"
"""

from __future__ import annotations

import errno

from checker.i18n import N_, _

_REASONS = {
    errno.ENOENT: N_("there is no such file or folder"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EROFS: N_("the file system is read-only"),
    errno.ENOSPC: N_("no space left on the device"),
    errno.EDQUOT: N_("the disk quota is used up"),
    errno.EEXIST: N_("a file or folder of that name exists already"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.ENOTEMPTY: N_("the folder is not empty"),
    errno.EMFILE: N_("too many open files"),
    errno.EIO: N_("an input/output error of the device"),
    errno.ELOOP: N_("too many symbolic links in the path"),
    errno.EINVAL: N_("the name is not valid here"),
    errno.EBUSY: N_("the file or device is busy"),
    errno.EADDRINUSE: N_("the port is already in use"),
    errno.EADDRNOTAVAIL: N_("the address is not available on this machine"),
}


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in a few translated words; the error's class name, not the
    C library's English, for an error number without words of ours."""
    words = _REASONS.get(exc.errno) if exc.errno is not None else None
    if words is not None:
        return _(words)
    code = errno.errorcode.get(exc.errno) if exc.errno is not None else None
    return _("system error {code}").format(code=code or exc.__class__.__name__)
