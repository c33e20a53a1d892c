"""Small helpers over lxml elements shared by the reader and the writer."""
from __future__ import annotations

from lxml import etree

from .vocabulary import MODEL_NS
from .xmltext import raw_controls_referenced

_MODEL_PREFIX = f"{{{MODEL_NS}}}"


def split(tag) -> tuple[str, str]:
    """(namespace, local name) of an lxml tag; ('', '') for comments and the like."""
    if not isinstance(tag, str):
        return "", ""
    if tag[0] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


LOCAL_NAMES: dict[str, str | None] = {}  # memo of model_local (the reader looks tags up here first)


def model_local(tag) -> str | None:
    """The local name when the tag is in the BPMN model namespace, else None (memoised: a file
    has a few dozen distinct tags and the reader asks for each element's)."""
    try:
        return LOCAL_NAMES[tag]
    except (KeyError, TypeError):
        pass
    local = tag[len(_MODEL_PREFIX):] if isinstance(tag, str) and tag.startswith(_MODEL_PREFIX) else None
    if isinstance(tag, str) and len(LOCAL_NAMES) < 10_000:
        LOCAL_NAMES[tag] = local
    return local


_ALL_ATTRIBUTES = etree.XPath("@*")
# up to this many attributes, lxml's items() (one C call) is used: its look-ups by name are
# quadratic only on elements with very many attributes
FEW_ATTRIBUTES = 16


def attribute_items(element) -> list[tuple[str, str]]:
    """(Clark name, value) of each attribute of ``element``, in time linear in their number (lxml's
    ``attrib.items()`` looks each value up by name again: quadratic on an element with 100,000
    attributes, which a hostile file may hold)."""
    attrib = element.attrib
    if len(attrib) <= FEW_ATTRIBUTES:
        return list(attrib.items())
    return [(value.attrname, str(value)) for value in _ALL_ATTRIBUTES(element)]


def strip_prefix(qname: str | None) -> str | None:
    """A QName reference ("tns:Process_1") as the id it names ("Process_1")."""
    if qname is None:
        return None
    qname = qname.strip()
    return qname.split(":", 1)[1] if ":" in qname else qname


def serialize(elements) -> str:
    """Elements as one XML fragment, each carrying the namespace declarations it needs."""
    parts = []
    for element in elements:
        # A copy holds only the declarations it uses (tostring would repeat every one in scope).
        # lxml's __copy__ copies the whole subtree, as copy.deepcopy does by calling it (without
        # the copy module's memo and dispatch, half the cost).
        alone = element.__copy__()
        alone.tail = None
        etree.cleanup_namespaces(alone)
        parts.append(etree.tostring(alone, encoding="unicode"))
    return raw_controls_referenced("".join(parts))


def fragment_children(text: str) -> list | None:
    """The elements of a fragment written by ``serialize``, parsed with the same hostile-input
    rules as a whole document; None when it is not well-formed (or declares a DTD)."""
    if "<!" in text.replace("<![CDATA[", ""):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(f"<fragment>{text}</fragment>".encode(), parser)
    except etree.XMLSyntaxError:
        return None
    return list(root)
