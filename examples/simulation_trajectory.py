"""A projectile with air drag, integrated with Euler steps until it lands; the launch angle
is optimised for range.

The simulation is ordinary Python: a ``while`` loop that runs until the projectile is
back on the ground (a trip count that depends on the angle), a trajectory collected
with ``append`` and turned into an array, a helper function for one step.  adtrans
differentiates the range with respect to the angle through all of it.

The range of a projectile landing between two steps is taken where the straight line
between the last two points crosses the ground, so that it is a smooth function of the
angle.  Without drag the best angle is 45 degrees; with quadratic drag it is lower.
"""

import numpy as np

import adtrans

G = 9.81            # m/s^2
DRAG = 0.05         # 1/m, quadratic drag coefficient per unit mass
SPEED = 30.0        # m/s, launch speed
DT = 0.01           # s, Euler step


def step(state, dt):
    """One Euler step of [x, y, vx, vy] under gravity and quadratic drag."""
    x, y, vx, vy = state
    speed = np.sqrt(vx * vx + vy * vy)
    ax = -DRAG * speed * vx
    ay = -G - DRAG * speed * vy
    return [x + dt * vx, y + dt * vy, vx + dt * ax, vy + dt * ay]


def trajectory(angle):
    """The points of the flight, launched from the origin at ``angle`` radians."""
    state = [0.0, 0.0, SPEED * np.cos(angle), SPEED * np.sin(angle)]
    points = [[state[0], state[1]]]
    while state[1] >= 0.0:
        state = step(state, DT)
        points.append([state[0], state[1]])
    return np.array(points)


def flight_range(angle):
    """Where the flight meets the ground: between the last two points, by interpolation."""
    path = trajectory(angle)
    x0, y0 = path[-2]
    x1, y1 = path[-1]
    return x0 + (x1 - x0) * y0 / (y0 - y1)


def main():
    d_range = adtrans.grad(flight_range)
    print("generated gradient of flight_range (the trajectory and step are inlined):")
    print(adtrans.source(d_range, 0.6))

    # The gradient agrees with finite differences of the simulation itself.
    angle = 0.6
    h = 1e-6
    numeric = (flight_range(angle + h) - flight_range(angle - h)) / (2 * h)
    value, gradient = adtrans.value_and_grad(flight_range)(angle)
    assert value == flight_range(angle)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5)
    print(f"range at {np.degrees(angle):.1f} degrees: {value:.3f} m, "
          f"d range / d angle = {gradient:.4f} m/rad (finite differences {numeric:.4f})")

    # Gradient ascent on the angle.
    for _ in range(60):
        angle = angle + 0.002 * d_range(angle)
    best = flight_range(angle)
    print(f"best angle {np.degrees(angle):.2f} degrees, range {best:.3f} m")

    # With drag the best angle is below 45 degrees, and it is a maximum: neighbours fly
    # shorter, and the gradient there vanishes.
    assert 30.0 < np.degrees(angle) < 45.0, np.degrees(angle)
    assert abs(d_range(angle)) < 1e-2, d_range(angle)
    assert best > flight_range(angle + 0.05) and best > flight_range(angle - 0.05)
    assert best > flight_range(np.radians(45.0))
    print("simulation_trajectory: the optimum is a maximum below 45 degrees")


if __name__ == "__main__":
    main()
