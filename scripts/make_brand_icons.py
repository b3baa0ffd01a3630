"""Draw the integration's brand icon: a flat desk phone on a transparent background.

Writes custom_components/grandstream/brand/icon.png (256 x 256) and icon@2x.png
(512 x 512). The drawing is defined on a 256-unit grid, rendered four times larger and
scaled down, which anti-aliases every edge. Needs Pillow (Home Assistant depends on
it, so the development venv has it):

    .venv/bin/python scripts/make_brand_icons.py
"""

from __future__ import annotations

from collections.abc import Sequence
import math
from pathlib import Path

from PIL import Image, ImageDraw

SUPERSAMPLE = 4
# The drawing's extent in grid units, and the empty border kept around it when it is
# scaled to fill the square (brand images should carry no needless transparent space).
CONTENT = (16.0, 54.0, 240.0, 232.0)
MARGIN = 6.0
OUT_DIR = Path(__file__).resolve().parent.parent / "custom_components/grandstream/brand"

# Dark blue body and charcoal handset, light keys, a pale blue screen.
BODY = (35, 70, 108, 255)
BODY_FOOT = (24, 51, 82, 255)
BODY_SHINE = (47, 89, 134, 255)
HANDSET = (58, 74, 94, 255)
HANDSET_SHINE = (92, 110, 132, 255)
BEZEL = (18, 40, 64, 255)
SCREEN = (203, 230, 250, 255)
SCREEN_TEXT = (86, 137, 184, 255)
KEY = (226, 233, 240, 255)
KEY_ACCENT = (70, 160, 230, 255)

Point = tuple[float, float]


def rounded_polygon(points: Sequence[Point], radii: Sequence[float]) -> list[Point]:
    """Outline of a polygon whose corner i is filleted with radius radii[i]."""
    outline: list[Point] = []
    count = len(points)
    for i, (px, py) in enumerate(points):
        ax, ay = points[i - 1]
        bx, by = points[(i + 1) % count]
        ux, uy = ax - px, ay - py
        vx, vy = bx - px, by - py
        ul, vl = math.hypot(ux, uy), math.hypot(vx, vy)
        ux, uy, vx, vy = ux / ul, uy / ul, vx / vl, vy / vl
        angle = math.acos(max(-1.0, min(1.0, ux * vx + uy * vy)))
        radius = radii[i]
        if radius <= 0 or angle >= math.pi - 1e-6:
            outline.append((px, py))
            continue
        # Tangent points at distance t along both edges; the arc's centre lies on the
        # bisector. This works for convex and concave corners alike.
        t = min(radius / math.tan(angle / 2), ul / 2, vl / 2)
        radius = t * math.tan(angle / 2)
        bisx, bisy = ux + vx, uy + vy
        bisl = math.hypot(bisx, bisy)
        dist = radius / math.sin(angle / 2)
        cx, cy = px + bisx / bisl * dist, py + bisy / bisl * dist
        start = math.atan2(py + uy * t - cy, px + ux * t - cx)
        end = math.atan2(py + vy * t - cy, px + vx * t - cx)
        sweep = (end - start + math.pi) % (2 * math.pi) - math.pi
        steps = max(8, int(abs(sweep) * radius))
        outline.extend(
            (
                cx + radius * math.cos(start + sweep * k / steps),
                cy + radius * math.sin(start + sweep * k / steps),
            )
            for k in range(steps + 1)
        )
    return outline


class Canvas:
    """A square RGBA image addressed in 256-unit coordinates."""

    def __init__(self, size: int) -> None:
        self.size = size
        x0, y0, x1, y1 = CONTENT
        fit = (256 - 2 * MARGIN) / max(x1 - x0, y1 - y0)
        self.scale = size * SUPERSAMPLE / 256 * fit
        self.dx = (256 / fit - (x1 - x0)) / 2 - x0
        self.dy = (256 / fit - (y1 - y0)) / 2 - y0
        self.image = Image.new("RGBA", (size * SUPERSAMPLE,) * 2, (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, points: Sequence[Point]) -> list[Point]:
        return [
            ((x + self.dx) * self.scale, (y + self.dy) * self.scale) for x, y in points
        ]

    def shape(
        self,
        points: Sequence[Point],
        fill: tuple[int, int, int, int],
        radii: float | Sequence[float] = 0,
    ) -> None:
        if isinstance(radii, (int, float)):
            radii = [radii] * len(points)
        self.draw.polygon(self._xy(rounded_polygon(points, radii)), fill=fill)

    def box(
        self,
        rect: tuple[float, float, float, float],
        fill: tuple[int, int, int, int],
        radius: float = 0,
    ) -> None:
        x0, y0, x1, y1 = rect
        self.shape([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill, radius)

    def result(self) -> Image.Image:
        return self.image.resize((self.size, self.size), Image.Resampling.LANCZOS)


def draw_phone(canvas: Canvas) -> None:
    # Base: a wedge, wider at the desk, with a darker foot and a lighter top lip.
    base = [(46, 100), (210, 100), (240, 232), (16, 232)]
    canvas.shape(base, BODY_FOOT, radii=[16, 16, 14, 14])
    canvas.shape(
        [(46, 100), (210, 100), (237, 218), (19, 218)], BODY, radii=[16, 16, 8, 8]
    )
    canvas.shape(
        [(52, 100), (204, 100), (206, 109), (50, 109)], BODY_SHINE, radii=[6, 6, 0, 0]
    )

    # Screen in its bezel, with two lines of "text" and a status dot.
    canvas.box((66, 116, 190, 154), BEZEL, radius=9)
    canvas.box((71, 121, 185, 149), SCREEN, radius=5)
    canvas.box((79, 128, 138, 133), SCREEN_TEXT, radius=2.5)
    canvas.box((79, 138, 118, 143), SCREEN_TEXT, radius=2.5)
    canvas.box((166, 128, 176, 138), KEY_ACCENT, radius=5)

    # Keypad: 3 columns x 4 rows.
    key_w, key_h, gap_x, gap_y = 28.0, 9.0, 9.0, 5.5
    left = 128 - (3 * key_w + 2 * gap_x) / 2
    for row in range(4):
        for col in range(3):
            x0 = left + col * (key_w + gap_x)
            y0 = 163 + row * (key_h + gap_y)
            canvas.box((x0, y0, x0 + key_w, y0 + key_h), KEY, radius=4)

    # Handset resting on the cradle: a bar whose ends drop onto the base's shoulders.
    handset = [
        (22, 62),
        (128, 54),
        (234, 62),
        (238, 108),
        (186, 108),
        (180, 86),
        (76, 86),
        (70, 108),
        (18, 108),
    ]
    canvas.shape(handset, HANDSET, radii=[22, 400, 22, 10, 10, 12, 12, 10, 10])
    canvas.shape(
        [(36, 66), (128, 59), (220, 66), (220, 71), (128, 64), (36, 71)],
        HANDSET_SHINE,
        radii=[3, 400, 3, 3, 400, 3],
    )


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for size, name in ((256, "icon.png"), (512, "icon@2x.png")):
        canvas = Canvas(size)
        draw_phone(canvas)
        path = OUT_DIR / name
        canvas.result().save(path, optimize=True)
        print(f"wrote {path.relative_to(OUT_DIR.parents[2])} ({size}x{size})")


if __name__ == "__main__":
    main()
